//! One serving thread: a current_thread tokio runtime with its own listener (SO_REUSEPORT spreads the
//! connections), its own upstream pool and its own spare buffers. A connection stays on the thread that
//! accepted it, so the pool and the spares need no lock (`RefCell`, never borrowed across an await).

use std::cell::RefCell;
use std::net::TcpListener as StdListener;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::LocalSet;

use crate::buffer::Buffer;
use crate::config::Config;
use crate::connection;

/// Spare buffer sets a thread keeps for its next busy connections.
const MAX_SPARE_BUFFERS: usize = 64;
/// A buffer that grew beyond this (a large message) is freed rather than kept.
const MAX_KEPT_BUFFER_BYTES: usize = 64 * 1024;

/// What a connection needs only while it serves a request; an idle one gives them back.
#[derive(Default)]
pub struct Buffers {
    /// Client bytes not yet forwarded.
    pub client_in: Buffer,
    /// Upstream bytes not yet forwarded.
    pub upstream_in: Buffer,
    /// Bytes for the client.
    pub out: Vec<u8>,
    /// The request head as the upstream gets it (kept until the response came, for a retry).
    pub upstream_head: Vec<u8>,
}

/// The thread's shared state. Not Send: it lives on one thread.
pub struct Worker {
    pub config: Arc<Config>,
    /// Idle upstream connections, one LIFO stack per upstream host.
    idle: RefCell<Vec<Vec<TcpStream>>>,
    next_upstream: RefCell<usize>,
    spares: RefCell<Vec<Buffers>>,
}

impl Worker {
    fn new(config: Arc<Config>) -> Self {
        let hosts = config.upstreams.len();
        Worker {
            config,
            idle: RefCell::new((0..hosts).map(|_| Vec::new()).collect()),
            next_upstream: RefCell::new(0),
            spares: RefCell::new(Vec::new()),
        }
    }

    /// The upstream host for the next request, round-robin.
    pub fn next_upstream(&self) -> usize {
        let mut next = self.next_upstream.borrow_mut();
        let host = *next % self.config.upstreams.len();
        *next = next.wrapping_add(1);
        host
    }

    /// A pooled connection to `host`, if one is idle.
    pub fn take_upstream(&self, host: usize) -> Option<TcpStream> {
        self.idle.borrow_mut()[host].pop()
    }

    /// Keeps `stream` (whose last response ended cleanly) for the next request to `host`.
    pub fn give_upstream(&self, host: usize, stream: TcpStream) {
        let mut idle = self.idle.borrow_mut();
        if idle[host].len() < self.config.max_idle_per_upstream {
            idle[host].push(stream);
        }
    }

    pub fn take_buffers(&self) -> Buffers {
        self.spares.borrow_mut().pop().unwrap_or_default()
    }

    pub fn give_buffers(&self, mut buffers: Buffers) {
        let mut spares = self.spares.borrow_mut();
        let small = buffers.client_in.capacity() <= MAX_KEPT_BUFFER_BYTES
            && buffers.upstream_in.capacity() <= MAX_KEPT_BUFFER_BYTES
            && buffers.out.capacity() <= MAX_KEPT_BUFFER_BYTES
            && buffers.upstream_head.capacity() <= MAX_KEPT_BUFFER_BYTES;
        let allocated = buffers.client_in.capacity() + buffers.upstream_in.capacity() > 0;
        if small && allocated && spares.len() < MAX_SPARE_BUFFERS {
            buffers.client_in.clear();
            buffers.upstream_in.clear();
            buffers.out.clear();
            spares.push(buffers);
        }
    }
}

/// Runs one serving thread until the process exits. Returns only if its runtime cannot start or its
/// listener cannot join the runtime (the error says why).
pub fn run(listener: StdListener, config: Arc<Config>) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()?;
    let local = LocalSet::new();
    local.block_on(&runtime, async move {
        let listener = TcpListener::from_std(listener)?;
        let worker = Rc::new(Worker::new(config));
        loop {
            match listener.accept().await {
                Ok((stream, peer)) => {
                    tokio::task::spawn_local(connection::serve(stream, peer, worker.clone()));
                }
                // Out of descriptors and the like: wait a little instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    })
}
