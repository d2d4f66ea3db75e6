//! Files only their owner can read. What focus keeps holds reflections, parked thoughts and the
//! whole conversation with the coach, so every file it writes is created `0600` and every
//! directory it creates `0700`, whatever the umask; files and directories already in the data
//! directory with wider modes (written by an older focus, or by hand) are tightened on the next
//! write ([`tighten`]). Elsewhere than Unix the platform's defaults stand.
//!
//! Two more things every writer here needs: a name no other file in its directory has
//! ([`unique`]: `<stem>.<ext>`, then `<stem>-2.<ext>`, …, claimed without a race), and a whole
//! file that is either all there or not at all ([`write_new`], [`replace`]: written beside
//! its place, synced, then linked or renamed into it, so a crash never leaves half a file).

use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// Open options that create a file readable and writable by its owner only.
pub fn options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Creates `dir` and any missing parents, each created one `0700`.
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let missing: Vec<&Path> = dir.ancestors().take_while(|a| !a.exists()).collect();
    fs::create_dir_all(dir)?;
    for created in missing {
        set_mode(created, 0o700)?;
    }
    Ok(())
}

/// Writes `bytes` to a new or truncated `path` readable by its owner only, its directory made
/// if needed, synced to disk.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write as _;
    if let Some(dir) = path.parent() {
        create_dir_all(dir)?;
    }
    let mut file = options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    set_mode(path, 0o600)?;
    file.write_all(bytes)?;
    file.sync_data()
}

/// `<stem>.<ext>` for `n` 1, else `<stem>-<n>.<ext>`.
pub fn numbered(stem: &str, n: u32, ext: &str) -> String {
    if n == 1 {
        format!("{stem}.{ext}")
    } else {
        format!("{stem}-{n}.{ext}")
    }
}

/// Claims the first free name of `<stem>.<ext>`, `<stem>-2.<ext>`, … in `dir`: `claim(path,
/// n)` makes the file there, failing with `AlreadyExists` when the name is taken (so it must
/// be atomic: `create_new`, or a hard link, never a rename). Returns the path and what
/// `claim` made.
pub fn unique<T>(
    dir: &Path,
    stem: &str,
    ext: &str,
    mut claim: impl FnMut(&Path, u32) -> io::Result<T>,
) -> io::Result<(PathBuf, T)> {
    for n in 1..1000 {
        let path = dir.join(numbered(stem, n, ext));
        match claim(&path, n) {
            Ok(made) => return Ok((path, made)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "too many files named {stem} in {}",
        dir.display()
    )))
}

/// A file beside `path` to write its new text into: hidden, named for this process, private.
fn beside(path: &Path, bytes: &[u8]) -> io::Result<PathBuf> {
    use std::io::Write as _;
    let dir = path.parent().unwrap_or(Path::new("."));
    create_dir_all(dir)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut file = options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&temp)?;
    set_mode(&temp, 0o600)?;
    file.write_all(bytes)?;
    file.sync_data()?;
    Ok(temp)
}

/// Writes `bytes` as a new file under the first free name of `<stem>.<ext>`, `<stem>-2.<ext>`,
/// … in `dir` (see [`unique`]), whole or not at all. Returns its path.
pub fn write_new(dir: &Path, stem: &str, ext: &str, bytes: &[u8]) -> io::Result<PathBuf> {
    let temp = beside(&dir.join(numbered(stem, 1, ext)), bytes)?;
    let placed = unique(dir, stem, ext, |path, _| fs::hard_link(&temp, path));
    let _ = fs::remove_file(&temp);
    sync_dir(dir);
    placed.map(|(path, ())| path)
}

/// Replaces the file at `path` with `bytes` (or makes it), whole or not at all.
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temp = beside(path, bytes)?;
    if let Err(e) = fs::rename(&temp, path) {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    sync_dir(path.parent().unwrap_or(Path::new(".")));
    Ok(())
}

/// Makes a new or moved name in `dir` survive a crash (best effort: not every platform can).
pub fn sync_dir(dir: &Path) {
    if let Ok(dir) = fs::File::open(dir) {
        let _ = dir.sync_all();
    }
}

/// Makes `dir` and everything in it readable by its owner only: files `0600`, directories
/// `0700` (symbolic links are left alone). Returns how many had to change. A directory that
/// only its owner can enter is not walked: nothing in it is open to others (so a run costs
/// one `stat` once the data directory is private).
pub fn tighten(dir: &Path) -> io::Result<usize> {
    let meta = match fs::symlink_metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    if !meta.is_dir() || !narrow(dir, &meta, 0o700)? {
        return Ok(0);
    }
    let mut changed = 1;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        if meta.is_dir() {
            changed += tighten(&entry.path())?;
        } else if meta.is_file() {
            changed += usize::from(narrow(&entry.path(), &meta, 0o600)?);
        }
    }
    Ok(changed)
}

/// Sets `path` to `mode` if group or others may use it; whether it did.
fn narrow(path: &Path, meta: &fs::Metadata, mode: u32) -> io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            set_mode(path, mode)?;
            return Ok(true);
        }
    }
    let _ = (path, meta, mode);
    Ok(false)
}

fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    let _ = (path, mode);
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_and_directories_are_made_for_their_owner_only() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        write(&dir.join("f.jsonl"), b"{}\n").unwrap();
        assert_eq!(mode(&dir.join("f.jsonl")), 0o600);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&root.path().join("a")), 0o700);
        // A directory that was there already is not changed by creating inside it.
        fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755)).unwrap();
        create_dir_all(&root.path().join("c")).unwrap();
        assert_eq!(mode(root.path()), 0o755);
        assert_eq!(mode(&root.path().join("c")), 0o700);
    }

    #[test]
    fn tightening_narrows_what_others_could_read_and_counts_it() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("focus");
        fs::create_dir_all(data.join("journal/closed")).unwrap();
        fs::write(data.join("sessions.jsonl"), "{}\n").unwrap();
        fs::write(data.join("journal/closed/x.jsonl"), "{}\n").unwrap();
        for (path, m) in [
            (data.clone(), 0o755),
            (data.join("journal"), 0o755),
            (data.join("journal/closed"), 0o700),
            (data.join("sessions.jsonl"), 0o644),
            (data.join("journal/closed/x.jsonl"), 0o600),
        ] {
            fs::set_permissions(&path, fs::Permissions::from_mode(m)).unwrap();
        }
        assert_eq!(tighten(&data).unwrap(), 3);
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join("journal")), 0o700);
        assert_eq!(mode(&data.join("sessions.jsonl")), 0o600);
        // Once is enough.
        assert_eq!(tighten(&data).unwrap(), 0);
        assert_eq!(tighten(&root.path().join("none")).unwrap(), 0);
    }

    #[test]
    fn new_files_take_the_first_free_name_whole_and_private() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("notes");
        let first = write_new(&dir, "note", "md", b"one").unwrap();
        let second = write_new(&dir, "note", "md", b"two").unwrap();
        assert_eq!(first, dir.join("note.md"));
        assert_eq!(second, dir.join("note-2.md"));
        assert_eq!(fs::read(&second).unwrap(), b"two");
        assert_eq!(mode(&second), 0o600);
        replace(&first, b"one, amended").unwrap();
        assert_eq!(fs::read(&first).unwrap(), b"one, amended");
        assert_eq!(mode(&first), 0o600);
        // Nothing is left beside them.
        let mut names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["note-2.md", "note.md"]);
    }
}
