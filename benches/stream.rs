//! What the client costs over reading the raw HTTP stream: the same 2,000-token reply from a
//! local server on 127.0.0.1, read once through focus's client (async-openai, lenient chunk
//! parsing, the sanitizer, the reply gatherer, written to a sink) and once as raw bytes with
//! reqwest (no parsing at all: a lower bound). Runs alternate so both see the same machine.
//!
//! Two streams: paced like a fast model (a token every millisecond, so the whole reply takes
//! about two seconds), and a burst (all 2,000 chunks written at once), which shows the pure
//! processing cost per token. Target: the paced overhead within 2 %.
//!
//!     cargo bench --bench stream           # 7 runs of each
//!     cargo bench --bench stream -- 15     # more runs

#[path = "../tests/support/server.rs"]
mod server;

use std::io::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use focus::config::{Env, LlmSettings};
use focus::llm::{ChatModel, Message, OpenAiCompatible, Reply, Request, Step};
use futures::StreamExt;

use server::{Part, Response, Server, events, finish_chunk, text_chunk};

const TOKENS: usize = 2000;
const TARGET_OVERHEAD: f64 = 0.02;

/// The reply as `data:` events, one token each.
fn payload() -> Vec<Vec<u8>> {
    let mut chunks: Vec<String> = (0..TOKENS)
        .map(|i| format!("data: {}\n\n", text_chunk(&format!("tok{} ", i % 100))))
        .collect();
    chunks.push(events(&[finish_chunk("stop", 40, TOKENS as u32)]));
    chunks.into_iter().map(String::into_bytes).collect()
}

fn paced() -> Response {
    let mut parts = Vec::new();
    for chunk in payload() {
        parts.push(Part::Bytes(chunk));
        parts.push(Part::Pause(Duration::from_millis(1)));
    }
    Response::stream(parts)
}

fn burst() -> Response {
    Response::sse(payload().concat())
}

#[derive(Clone, Copy)]
struct Timing {
    first: Duration,
    whole: Duration,
}

async fn through_client(model: &Arc<dyn ChatModel>, request: &Request) -> Timing {
    let started = Instant::now();
    let mut first = None;
    let mut reply = Reply::new(request);
    let mut stream = model.stream(request.clone());
    let mut sink = std::io::sink();
    while let Some(item) = stream.next().await {
        match reply.absorb(item) {
            Step::Text(text) => {
                sink.write_all(text.as_bytes()).unwrap();
                first.get_or_insert_with(|| started.elapsed());
            }
            Step::Ended => break,
            _ => {}
        }
    }
    assert!(reply.text().len() >= TOKENS * 5, "the whole reply arrived");
    Timing {
        first: first.expect("a token"),
        whole: started.elapsed(),
    }
}

async fn raw(http: &reqwest::Client, url: &str, body: &str) -> Timing {
    let started = Instant::now();
    let mut first = None;
    let response = http
        .post(format!("{url}/chat/completions"))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let mut bytes = response.bytes_stream();
    let mut sink = std::io::sink();
    let mut total = 0;
    while let Some(piece) = bytes.next().await {
        let piece = piece.unwrap();
        total += piece.len();
        sink.write_all(&piece).unwrap();
        first.get_or_insert_with(|| started.elapsed());
    }
    assert!(total > TOKENS * 100, "whole stream");
    Timing {
        first: first.expect("bytes"),
        whole: started.elapsed(),
    }
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(7);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{TOKENS}-token reply from 127.0.0.1, {runs} runs each (medians)\n"
    )
    .unwrap();
    writeln!(
        out,
        "| stream | client whole | raw whole | overhead | client first token | raw first bytes |"
    )
    .unwrap();
    writeln!(out, "|---|---|---|---|---|---|").unwrap();
    let mut paced_overhead = 0.0;
    for (name, make) in [
        ("paced, 1 ms a token", paced as fn() -> Response),
        ("burst", burst),
    ] {
        // One warm-up of each, then alternating runs.
        let script: Vec<Response> = (0..2 * (runs + 1)).map(|_| make()).collect();
        let server = Server::start(script);
        let settings = LlmSettings {
            base_url: server.url(),
            model: "bench".to_owned(),
            ..LlmSettings::default()
        };
        let model: Arc<dyn ChatModel> =
            Arc::new(OpenAiCompatible::new(&settings, None, &Env::default()).unwrap());
        let request = Request::new(vec![
            Message::system("You are a focus coach."),
            Message::user("Plan my afternoon."),
        ]);
        let http = reqwest::Client::new();
        let body = serde_json::json!({
            "model": "bench", "messages": request.messages, "stream": true,
        })
        .to_string();
        let (mut client, mut bare) = (Vec::new(), Vec::new());
        runtime.block_on(async {
            for run in 0..=runs {
                let c = through_client(&model, &request).await;
                let r = raw(&http, &server.url(), &body).await;
                if run > 0 {
                    client.push(c);
                    bare.push(r);
                }
            }
        });
        let whole_client = median(client.iter().map(|t| t.whole).collect());
        let whole_raw = median(bare.iter().map(|t| t.whole).collect());
        let overhead = whole_client.as_secs_f64() / whole_raw.as_secs_f64() - 1.0;
        if name.starts_with("paced") {
            paced_overhead = overhead;
        }
        writeln!(
            out,
            "| {name} | {} | {} | {:+.2} % | {} | {} |",
            ms(whole_client),
            ms(whole_raw),
            overhead * 100.0,
            ms(median(client.iter().map(|t| t.first).collect())),
            ms(median(bare.iter().map(|t| t.first).collect())),
        )
        .unwrap();
    }
    writeln!(
        out,
        "\npaced overhead {:+.2} % (target within {:.0} %): {}",
        paced_overhead * 100.0,
        TARGET_OVERHEAD * 100.0,
        if paced_overhead <= TARGET_OVERHEAD {
            "met"
        } else {
            "MISSED"
        }
    )
    .unwrap();
}
