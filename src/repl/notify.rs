//! Getting the person's attention when the clock moves the session on: the terminal bell
//! (`ui.bell`) and, with `ui.desktop_notifications`, a desktop notification.
//!
//! The notification goes through the desktop's own command (`notify-send` on Linux and the
//! BSDs, `osascript` on macOS) started in the background. Where there is no such command or
//! no notification service, nothing happens: the message is in the terminal anyway. A crate
//! that speaks D-Bus itself would add dozens of dependencies for the same effect.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;

/// How notifications are sent, decided once.
#[derive(Debug, Clone, Default)]
pub struct Alerts {
    /// Ring the bell (only when the output is a terminal).
    pub bell: bool,
    /// The command that shows a desktop notification, if there is one.
    desktop: Option<Desktop>,
}

#[derive(Debug, Clone)]
enum Desktop {
    NotifySend(PathBuf),
    Osascript(PathBuf),
}

impl Alerts {
    /// `desktop`: the person wants desktop notifications; `path` is `$PATH`.
    pub fn new(bell: bool, desktop: bool, path: Option<&str>) -> Alerts {
        let desktop = desktop.then(|| find_notifier(path)).flatten();
        Alerts { bell, desktop }
    }

    /// Shows `body` under the title `focus` on the desktop, without waiting. Failures are
    /// only logged: the terminal already has the message.
    pub fn desktop(&self, body: &str) {
        let Some(desktop) = &self.desktop else {
            return;
        };
        let mut command = match desktop {
            Desktop::NotifySend(path) => {
                let mut command = Command::new(path);
                command.args(["--app-name=focus", "focus", body]);
                command
            }
            Desktop::Osascript(path) => {
                let mut command = Command::new(path);
                command.args(["-e", &apple_script(body)]);
                command
            }
        };
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match command.spawn() {
            // Waited for on a thread of its own, so it never lingers as a zombie.
            Ok(mut child) => {
                thread::spawn(move || child.wait());
            }
            Err(error) => tracing::debug!(%error, "no desktop notification"),
        }
    }
}

fn find_notifier(path: Option<&str>) -> Option<Desktop> {
    let path = path?;
    let find = |name: &str| {
        std::env::split_paths(path)
            .map(|dir| dir.join(name))
            .find(|candidate| is_program(candidate))
    };
    if cfg!(target_os = "macos") {
        find("osascript").map(Desktop::Osascript)
    } else if cfg!(unix) {
        find("notify-send").map(Desktop::NotifySend)
    } else {
        None
    }
}

fn is_program(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    path.is_file()
}

/// `display notification "…" with title "focus"`, with the text quoted for `AppleScript`.
fn apple_script(body: &str) -> String {
    let quoted: String = body
        .chars()
        .filter(|c| !c.is_control())
        .flat_map(|c| match c {
            '"' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("display notification \"{quoted}\" with title \"focus\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applescript_text_is_quoted() {
        assert_eq!(
            apple_script("say \"hi\" \\ now\n"),
            "display notification \"say \\\"hi\\\" \\\\ now\" with title \"focus\""
        );
    }

    #[cfg(all(unix, not(target_os = "macos")))]
    #[test]
    fn notify_send_is_found_on_the_path_and_only_when_wanted() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("notify-send");
        std::fs::write(&program, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = format!("/nonexistent:{}", dir.path().display());
        assert!(Alerts::new(false, true, Some(&path)).desktop.is_some());
        assert!(Alerts::new(false, false, Some(&path)).desktop.is_none());
        assert!(
            Alerts::new(false, true, Some("/nonexistent"))
                .desktop
                .is_none()
        );
        assert!(Alerts::new(false, true, None).desktop.is_none());
    }
}
