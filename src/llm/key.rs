//! The API key: from the variable named by `llm.api_key_env`, else from the output of
//! `llm.api_key_cmd`. It is held only in memory and never printed or written.

use std::fmt;
use std::net::IpAddr;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::Command;

use super::LlmError;
use super::wire::quote;
use crate::config::{Env, LlmSettings};

/// How long `api_key_cmd` may take (a password manager may ask for a passphrase).
const KEY_COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// An API key. Its `Debug` hides the value.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> ApiKey {
        ApiKey(key)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(hidden)")
    }
}

/// Where the key comes from, for "check …" in error messages.
pub fn key_source(settings: &LlmSettings, env: &Env) -> String {
    let var = &settings.api_key_env;
    match (env.get(var), &settings.api_key_cmd) {
        (None, Some(_)) => "the key printed by llm.api_key_cmd".to_owned(),
        _ => format!("${var} (named by llm.api_key_env)"),
    }
}

/// The key to send: the variable's value, else the first non-blank line `api_key_cmd` prints, else
/// `None`.
pub async fn resolve_key(settings: &LlmSettings, env: &Env) -> Result<Option<ApiKey>, LlmError> {
    if let Some(key) = env.get(&settings.api_key_env) {
        return Ok(Some(ApiKey(key.trim().to_owned())));
    }
    let Some(command) = settings.api_key_cmd.as_deref() else {
        return Ok(None);
    };
    let fail = |detail: String| LlmError::KeyCommand {
        detail,
        var: settings.api_key_env.clone(),
    };
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| fail(format!("could not run sh: {e}")))?;
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let run = async {
        let (out, err) = tokio::join!(read_all(stdout), read_all(stderr));
        Ok::<_, std::io::Error>((child.wait().await?, out?, err?))
    };
    let (status, out, err) = tokio::time::timeout(KEY_COMMAND_TIMEOUT, run)
        .await
        .map_err(|_| {
            fail(format!(
                "it did not finish within {} s",
                KEY_COMMAND_TIMEOUT.as_secs()
            ))
        })?
        .map_err(|e| fail(e.to_string()))?;
    if !status.success() {
        let said = quote(&String::from_utf8_lossy(&err));
        let code = status
            .code()
            .map_or_else(|| "killed by a signal".to_owned(), |c| format!("exit {c}"));
        return Err(fail(if said.is_empty() {
            code
        } else {
            format!("{code}: {said}")
        }));
    }
    let out = String::from_utf8(out)
        .map_err(|_| fail("it printed bytes that are not UTF-8".to_owned()))?;
    // The first line with something on it (some tools print a blank line first).
    match out.lines().map(str::trim).find(|k| !k.is_empty()) {
        Some(key) => Ok(Some(ApiKey(key.to_owned()))),
        None => Err(fail("it printed nothing".to_owned())),
    }
}

async fn read_all(pipe: Option<impl AsyncReadExt + Unpin>) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if let Some(mut pipe) = pipe {
        pipe.read_to_end(&mut bytes).await?;
    }
    Ok(bytes)
}

/// Whether a server at `base_url` needs a key: everything but this machine and private
/// networks (where Ollama, llama.cpp, vLLM and LM Studio run without one).
pub fn needs_key(base_url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(base_url) else {
        return true;
    };
    let Some(host) = url.host_str() else {
        return true;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<IpAddr>() {
        return match ip {
            IpAddr::V4(ip) => {
                !(ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified())
            }
            IpAddr::V6(ip) => !(ip.is_loopback() || ip.is_unspecified() || ip.is_unique_local()),
        };
    }
    let host = host.to_ascii_lowercase();
    let local_suffix = [".localhost", ".local", ".internal", ".lan"]
        .iter()
        .any(|suffix| host.ends_with(suffix));
    !(host == "localhost" || local_suffix || !host.contains('.'))
}
