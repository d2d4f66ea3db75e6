//! Files only their owner can read. What focus keeps holds reflections, parked thoughts and the
//! whole conversation with the coach, so every file it writes is created `0600` and every
//! directory it creates `0700`, whatever the umask; files and directories already in the data
//! directory with wider modes (written by an older focus, or by hand) are tightened on the next
//! write ([`tighten`]). Elsewhere than Unix the platform's defaults stand.

use std::fs::{self, OpenOptions};
use std::io;
use std::path::Path;

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
}
