//! Start-up and shutdown: one listener per serving thread (SO_REUSEPORT when there are several, so the
//! kernel spreads connections and nothing is handed between threads), `ready` once every listener
//! listens, and exit 0 on SIGTERM or SIGINT however many connections are open.

use std::net::{SocketAddr, TcpListener};
use std::process::ExitCode;
use std::sync::Arc;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::signal::unix::{SignalKind, signal};

use crate::config::Config;
use crate::marks;
use crate::worker;

/// A listening socket on `address`; `shared` lets the other threads' listeners bind the same port.
fn listen(address: SocketAddr, shared: bool) -> std::io::Result<TcpListener> {
    let socket = Socket::new(
        Domain::for_address(address),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    socket.set_reuse_address(true)?;
    if shared {
        socket.set_reuse_port(true)?;
    }
    socket.set_nonblocking(true)?;
    socket.bind(&address.into())?;
    socket.listen(libc::SOMAXCONN)?;
    Ok(socket.into())
}

/// Serves until SIGTERM or SIGINT, then returns success. When it cannot listen (a set-up error: the port
/// is taken, the address is not local) it returns 2 with one line on stderr; when it cannot start a
/// runtime or a thread, 1.
pub fn run(listen_at: SocketAddr, threads: usize, config: Config) -> ExitCode {
    let fail = |what: String| {
        eprintln!("http_proxy: {what}");
        ExitCode::from(1)
    };
    let setup_error = |what: String| {
        eprintln!("http_proxy: {what}");
        ExitCode::from(2)
    };
    let mut listeners = Vec::with_capacity(threads);
    for _ in 0..threads {
        match listen(listen_at, threads > 1) {
            Ok(listener) => listeners.push(listener),
            Err(error) => {
                return setup_error(format!(
                    "cannot listen on {listen_at}: {error}; choose another port"
                ));
            }
        }
    }
    // The signal handlers are installed before `ready`, so a SIGTERM right after it already means "stop".
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(format!("cannot start the tokio runtime: {error}")),
    };
    let signals = {
        let _entered = runtime.enter();
        (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        )
    };
    let (Ok(mut terminate), Ok(mut interrupt)) = signals else {
        return fail("cannot install the SIGTERM/SIGINT handlers".to_string());
    };
    let config = Arc::new(config);
    for (index, listener) in listeners.into_iter().enumerate() {
        let config = config.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("proxy-{index}"))
            .spawn(move || {
                if let Err(error) = worker::run(listener, config) {
                    eprintln!("http_proxy: serving thread {index} stopped: {error}");
                    std::process::exit(1);
                }
            });
        if let Err(error) = spawned {
            return fail(format!("cannot start a serving thread: {error}"));
        }
    }
    marks::mark("ready");
    runtime.block_on(async {
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
    });
    // Returning exits the process: the serving threads and every connection they hold end with it.
    ExitCode::SUCCESS
}
