//! A small HTTP/1.1 server on 127.0.0.1 that plays scripted responses and misbehaves on
//! purpose: split bytes, stalls, resets, streams that never end. Shared by the integration
//! tests and the streaming benchmark.
//!
//! Each request gets the next response of the script (a 500 "no scripted response" once they
//! run out), or, for a routed server, the response its handler picks for it, on a connection
//! of its own that closes after it. Every request is recorded. A `GET …/models` (the check
//! focus makes at launch that the server is there) gets an empty list, as a real server's
//! would, and is counted apart.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Lowercase names.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("request body is JSON")
    }
}

/// One part of a response body.
#[derive(Debug, Clone)]
pub enum Part {
    /// Written as one HTTP chunk (or as is, for a response with a length).
    Bytes(Vec<u8>),
    Pause(Duration),
    /// Reset the connection (RST) here.
    Reset,
    /// Write nothing more and keep the connection open until the client leaves.
    Hang,
    /// Write this chunk at this interval until the client leaves.
    Endless(Vec<u8>, Duration),
}

/// A scripted response.
#[derive(Debug, Clone)]
pub struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    parts: Vec<Part>,
    /// Chunked transfer encoding (a stream); otherwise a Content-Length body.
    chunked: bool,
    /// Wait this long before the status line.
    delay: Duration,
}

impl Response {
    /// A server-sent event stream of `body`, as one chunk.
    pub fn sse(body: impl AsRef<[u8]>) -> Response {
        Response::stream(vec![Part::Bytes(body.as_ref().to_vec())])
    }

    /// `body` as a stream of HTTP chunks of `size` bytes each, so the client's reads split it
    /// at those byte boundaries (1: at every byte).
    pub fn sse_split(body: impl AsRef<[u8]>, size: usize) -> Response {
        Response::stream(
            body.as_ref()
                .chunks(size)
                .map(|piece| Part::Bytes(piece.to_vec()))
                .collect(),
        )
    }

    /// A stream made of these parts.
    pub fn stream(parts: Vec<Part>) -> Response {
        Response {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "text/event-stream".into()),
                ("Cache-Control".into(), "no-cache".into()),
            ],
            parts,
            chunked: true,
            delay: Duration::ZERO,
        }
    }

    /// A JSON body with this status.
    pub fn json(status: u16, body: impl AsRef<[u8]>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            parts: vec![Part::Bytes(body.as_ref().to_vec())],
            chunked: false,
            delay: Duration::ZERO,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn then(mut self, part: Part) -> Response {
        self.parts.push(part);
        self
    }

    pub fn after(mut self, delay: Duration) -> Response {
        self.delay = delay;
        self
    }
}

/// A running server. It lives until the test process ends.
#[derive(Debug, Clone)]
pub struct Server {
    port: u16,
    shared: Arc<Shared>,
}

/// Picks the response for a request.
type Handler = dyn Fn(&Recorded) -> Response + Send + Sync;

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    handler: Option<Box<Handler>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("state", &self.state)
            .field("changed", &self.changed)
            .field("handler", &self.handler.as_ref().map(|_| "routed"))
            .finish()
    }
}

#[derive(Debug, Default)]
struct State {
    script: VecDeque<Response>,
    requests: Vec<Recorded>,
    /// `GET …/models` requests (launch checks).
    probes: u32,
    /// Connections the client closed while the server still had something to say.
    left: u32,
}

impl Server {
    pub fn start(script: impl IntoIterator<Item = Response>) -> Server {
        let shared = Shared::default();
        shared.state.lock().unwrap().script = script.into_iter().collect();
        Server::serving(shared)
    }

    /// A server that answers each request with what `handler` picks for it (for clients
    /// whose requests come in an order that depends on timing).
    pub fn routed(handler: impl Fn(&Recorded) -> Response + Send + Sync + 'static) -> Server {
        Server::serving(Shared {
            handler: Some(Box::new(handler)),
            ..Shared::default()
        })
    }

    fn serving(shared: Shared) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local addr").port();
        let server = Server {
            port,
            shared: Arc::new(shared),
        };
        let accepting = server.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let server = accepting.clone();
                thread::spawn(move || server.serve(&stream));
            }
        });
        server
    }

    /// The base URL to configure: `http://127.0.0.1:<port>/v1`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.state.lock().unwrap().requests.clone()
    }

    /// How many launch checks (`GET …/models`) came in.
    pub fn probes(&self) -> u32 {
        self.shared.state.lock().unwrap().probes
    }

    /// Waits until the client has gone from `n` connections it left mid-response; false if
    /// that did not happen within `limit`.
    pub fn wait_left(&self, n: u32, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        let mut state = self.shared.state.lock().unwrap();
        while state.left < n {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = self
                .shared
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap()
                .0;
        }
        true
    }

    fn serve(&self, stream: &TcpStream) {
        stream.set_nodelay(true).ok();
        let Some(request) = read_request(stream) else {
            return;
        };
        if request.method == "GET" && request.path.ends_with("/models") {
            self.shared.state.lock().unwrap().probes += 1;
            self.shared.changed.notify_all();
            let _ = respond(
                stream,
                &Response::json(200, r#"{"object":"list","data":[]}"#),
            );
            return;
        }
        let routed = self
            .shared
            .handler
            .as_ref()
            .map(|handler| handler(&request));
        let response = {
            let mut state = self.shared.state.lock().unwrap();
            state.requests.push(request);
            self.shared.changed.notify_all();
            routed.or_else(|| state.script.pop_front())
        }
        .unwrap_or_else(|| Response::json(500, r#"{"error":{"message":"no scripted response"}}"#));
        if respond(stream, &response).is_err() {
            self.client_left();
        }
    }

    fn client_left(&self) {
        self.shared.state.lock().unwrap().left += 1;
        self.shared.changed.notify_all();
    }
}

fn respond(mut stream: &TcpStream, response: &Response) -> std::io::Result<()> {
    thread::sleep(response.delay);
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    if response.chunked {
        head.push_str("Transfer-Encoding: chunked\r\n");
    } else {
        let length: usize = response
            .parts
            .iter()
            .map(|p| match p {
                Part::Bytes(b) => b.len(),
                _ => 0,
            })
            .sum();
        let _ = write!(head, "Content-Length: {length}\r\n");
    }
    head.push_str("Connection: close\r\n\r\n");
    stream.write_all(head.as_bytes())?;
    let write = |mut stream: &TcpStream, bytes: &[u8]| -> std::io::Result<()> {
        if response.chunked {
            stream.write_all(format!("{:x}\r\n", bytes.len()).as_bytes())?;
            stream.write_all(bytes)?;
            stream.write_all(b"\r\n")?;
        } else {
            stream.write_all(bytes)?;
        }
        stream.flush()
    };
    for part in &response.parts {
        match part {
            Part::Bytes(bytes) if bytes.is_empty() => {}
            Part::Bytes(bytes) => write(stream, bytes)?,
            Part::Pause(pause) => thread::sleep(*pause),
            Part::Reset => {
                socket2::SockRef::from(stream).set_linger(Some(Duration::ZERO))?;
                return Ok(());
            }
            Part::Hang => {
                // Reading returns when the client closes the connection.
                let mut byte = [0u8; 1];
                while matches!(stream.read(&mut byte), Ok(n) if n > 0) {}
                return Err(std::io::ErrorKind::ConnectionAborted.into());
            }
            Part::Endless(bytes, every) => loop {
                write(stream, bytes)?;
                thread::sleep(*every);
            },
        }
    }
    if response.chunked {
        stream.write_all(b"0\r\n\r\n")?;
    }
    stream.flush()
}

fn read_request(stream: &TcpStream) -> Option<Recorded> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut words = line.split_whitespace();
    let (method, path) = (words.next()?.to_owned(), words.next()?.to_owned());
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_lowercase(), value.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Recorded {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// A port on 127.0.0.1 that was free a moment ago, so nothing listens there.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind 127.0.0.1")
        .local_addr()
        .expect("local addr")
        .port()
}

/// Server-sent events for these chunk payloads, one `data:` event each, then `[DONE]`.
pub fn events(payloads: &[String]) -> String {
    let mut out = String::new();
    for payload in payloads {
        let _ = write!(out, "data: {payload}\n\n");
    }
    out.push_str("data: [DONE]\n\n");
    out
}

/// An OpenAI-style content chunk.
pub fn text_chunk(text: &str) -> String {
    serde_json::json!({
        "id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1_700_000_000,
        "model": "test-model",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}],
    })
    .to_string()
}

/// An OpenAI-style finish chunk with usage.
pub fn finish_chunk(reason: &str, prompt: u32, completion: u32) -> String {
    serde_json::json!({
        "id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1_700_000_000,
        "model": "test-model",
        "choices": [{"index": 0, "delta": {}, "finish_reason": reason}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                  "total_tokens": prompt + completion},
    })
    .to_string()
}

/// A whole streamed reply of these text pieces.
pub fn reply(pieces: &[&str]) -> String {
    let mut payloads: Vec<String> = pieces.iter().map(|p| text_chunk(p)).collect();
    payloads.push(finish_chunk("stop", 12, pieces.len() as u32));
    events(&payloads)
}
