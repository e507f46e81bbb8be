//! The TCP side: tokio, a task per connection (read what arrived, answer every whole frame in order, one
//! write), a write-back task every `--write-back-ms`, and SIGTERM/SIGINT. `--threads 1` runs tokio's
//! current-thread runtime (the one thread that calls `run`); N > 1 its multi-threaded runtime with N
//! workers.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::signal::unix::{SignalKind, signal};
use tokio::time::MissedTickBehavior;

use super::protocol::{self, FRAME_BYTES, STATUS_MALFORMED, STATUS_OK, STATUS_OUT_OF_RANGE};
use super::store::Store;

/// What one connection reads at a time: 512 frames of pipelined requests.
const READ_BUFFER_BYTES: usize = 16 << 10;

pub struct ServerOptions {
    pub listen: String, // HOST:PORT
    pub threads: usize,
    pub write_back_period: Duration,
}

/// Binds the address, then calls `loaded` (which loads the store and marks `ready`), then serves until
/// SIGTERM or SIGINT. A failure to bind is the caller's to report as a usage error; a table I/O error while
/// serving ends the process with exit 1 (no answer can be trusted after it).
pub fn run(
    store: Arc<Store>,
    options: &ServerOptions,
    loaded: impl FnOnce(),
) -> Result<(), String> {
    let runtime = if options.threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(options.threads)
            .enable_all()
            .build()
    }
    .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async {
        let listener = TcpListener::bind(options.listen.as_str())
            .await
            .map_err(|e| {
                format!(
                    "cannot listen on {}: {e}; choose a free port",
                    options.listen
                )
            })?;
        let mut terminate = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
        let mut interrupt = signal(SignalKind::interrupt()).map_err(|e| e.to_string())?;
        loaded();
        tokio::spawn(write_back_every(store.clone(), options.write_back_period));
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    if let Ok((stream, _)) = accepted {
                        tokio::spawn(serve_connection(stream, store.clone()));
                    }
                }
                _ = terminate.recv() => break,
                _ = interrupt.recv() => break,
            }
        }
        Ok::<(), String>(())
    })?;
    // Stops every connection and the write-back task, and waits for the worker threads, so no request
    // runs after the caller's last write-back.
    runtime.shutdown_timeout(Duration::from_secs(10));
    Ok(())
}

fn fatal(error: std::io::Error) -> ! {
    eprintln!("sync_engine: error: backing table: {error}");
    std::process::exit(1);
}

async fn write_back_every(store: Arc<Store>, period: Duration) {
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ticks.tick().await; // the first tick is now
    loop {
        ticks.tick().await;
        if let Err(error) = store.write_back() {
            fatal(error);
        }
    }
}

async fn serve_connection(mut stream: TcpStream, store: Arc<Store>) {
    let _ = stream.set_nodelay(true);
    let mut input = vec![0u8; READ_BUFFER_BYTES];
    let mut output = Vec::with_capacity(READ_BUFFER_BYTES);
    let mut have = 0;
    loop {
        match stream.read(&mut input[have..]).await {
            Ok(0) | Err(_) => return, // closed, mid-frame or not
            Ok(n) => have += n,
        }
        let whole = have / FRAME_BYTES * FRAME_BYTES;
        if whole == 0 {
            continue;
        }
        output.clear();
        let open = answer_frames(&store, &input[..whole], &mut output);
        if stream.write_all(&output).await.is_err() || !open {
            let _ = stream.shutdown().await;
            return;
        }
        input.copy_within(whole..have, 0);
        have -= whole;
    }
}

/// Appends the answer of every frame of `input` to `output`; false after a malformed frame, whose error
/// frame is then the last answer.
fn answer_frames(store: &Store, input: &[u8], output: &mut Vec<u8>) -> bool {
    for frame in input.chunks_exact(FRAME_BYTES) {
        let frame: &[u8; FRAME_BYTES] = frame.try_into().expect("a whole frame");
        let Some(request) = protocol::decode_request(frame) else {
            protocol::push_response(
                output,
                STATUS_MALFORMED,
                frame[0],
                (0, 0),
                Default::default(),
            );
            return false;
        };
        let key = (request.user, request.channel);
        match protocol::key_index(request.user, request.channel, store.keys()) {
            None => protocol::push_response(
                output,
                STATUS_OUT_OF_RANGE,
                frame[0],
                key,
                Default::default(),
            ),
            Some(k) => match store.execute(k, request.op, request.message_id) {
                Ok(state) => protocol::push_response(output, STATUS_OK, frame[0], key, state),
                Err(error) => fatal(error),
            },
        }
    }
    true
}
