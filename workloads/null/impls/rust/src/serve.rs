//! `null serve`: a line-echo service, one tokio task per connection.

use std::process::ExitCode;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::signal::unix::{SignalKind, signal};
use tokio::task::JoinSet;

use crate::marks::Marks;

/// The longest request line, its newline included (SPEC.md).
const MAX_LINE_BYTES: u64 = 64 * 1024;

/// Checks `HOST:PORT` (a usage error otherwise); the host is resolved when binding.
pub fn parse_listen(value: &str) -> Result<String, String> {
    match value.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && matches!(port.parse::<u16>(), Ok(p) if p > 0) => {
            Ok(value.to_string())
        }
        _ => Err(format!(
            "expected HOST:PORT with a port in 1..65535, got '{value}'"
        )),
    }
}

pub fn run(listen: &str, delay: Duration, marks: &Marks) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("null: cannot start the tokio runtime: {error}");
            return ExitCode::from(1);
        }
    };
    let status = runtime.block_on(serve(listen, delay, marks));
    // Dropping the runtime cancels every connection task, which closes its socket.
    drop(runtime);
    status
}

async fn serve(listen: &str, delay: Duration, marks: &Marks) -> ExitCode {
    let listener = match TcpListener::bind(listen).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("null: cannot listen on {listen}: {error}");
            return ExitCode::from(1);
        }
    };
    // Handlers go in before `ready`, so a SIGTERM right after it already means "stop".
    let (Ok(mut terminate), Ok(mut interrupt)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        eprintln!("null: cannot install the SIGTERM/SIGINT handlers");
        return ExitCode::from(1);
    };
    marks.mark("ready");
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((socket, _)) => {
                    connections.spawn(echo(socket, delay));
                }
                // A failed accept (e.g. the peer reset before it was accepted) affects that connection only.
                Err(error) => eprintln!("null: accept failed: {error}"),
            },
            // Reap finished connections so the set does not grow with every client that came and went.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
        }
    }
    connections.abort_all();
    ExitCode::SUCCESS
}

/// Echoes each line back byte for byte; returns when the client closes, on an error, or on a line longer
/// than MAX_LINE_BYTES (the connection is then closed).
async fn echo(socket: TcpStream, delay: Duration) {
    let _ = socket.set_nodelay(true);
    let (reader, mut writer) = socket.into_split();
    let mut reader = BufReader::new(reader);
    let mut line = Vec::with_capacity(256);
    loop {
        line.clear();
        match (&mut reader)
            .take(MAX_LINE_BYTES)
            .read_until(b'\n', &mut line)
            .await
        {
            Ok(0) | Err(_) => return,
            Ok(_) if line.last() != Some(&b'\n') => return, // over the limit, or closed mid-line
            Ok(_) => {}
        }
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        if writer.write_all(&line).await.is_err() {
            return;
        }
    }
}
