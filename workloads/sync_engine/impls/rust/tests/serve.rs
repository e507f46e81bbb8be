//! End-to-end tests of `sync_engine serve`: bad input exits 2 with one line; a real service answers over TCP
//! through `ready`, eviction and write-back, a malformed frame, SIGTERM and its exit report. Marks are read
//! from stderr (CLAIMBENCH_MARK_FD=2).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

const BINARY: &str = env!("CARGO_BIN_EXE_sync_engine");

#[test]
fn bad_input_exits_two_with_one_line() {
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let busy_address = busy.local_addr().unwrap().to_string();
    let cases: &[(&str, &[&str])] = &[
        ("serve", &[]),
        ("unknown command", &["frobnicate"]),
        ("--entries", &["serve", "--listen", "127.0.0.1:0"]),
        (
            "--threads",
            &[
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--entries",
                "10",
                "--threads",
                "0",
            ],
        ),
        (
            "--listen",
            &["serve", "--listen", "nowhere", "--entries", "10"],
        ),
        (
            "--entries",
            &["serve", "--listen", "127.0.0.1:0", "--entries", "many"],
        ),
        (
            "cannot listen",
            &["serve", "--listen", &busy_address, "--entries", "10"],
        ),
        (
            "cannot create the backing table",
            &[
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--entries",
                "10",
                "--backing",
                "/nonexistent/dir/t",
            ],
        ),
    ];
    for (want, args) in cases {
        let out = Command::new(BINARY).args(*args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("sync_engine: error: ") && stderr.contains(want),
            "{args:?}: {stderr}"
        );
    }
}

fn request(op: u8, user: u64, channel: u64, message: u64) -> [u8; 32] {
    let mut f = [0u8; 32];
    f[0] = op;
    f[8..16].copy_from_slice(&user.to_le_bytes());
    f[16..24].copy_from_slice(&channel.to_le_bytes());
    f[24..32].copy_from_slice(&message.to_le_bytes());
    f
}

fn response(status: u8, op: u8, user: u64, channel: u64, last_read: u64, mentions: u32) -> Vec<u8> {
    let mut f = vec![status, op, 0, 0];
    f.extend_from_slice(&mentions.to_le_bytes());
    f.extend_from_slice(&user.to_le_bytes());
    f.extend_from_slice(&channel.to_le_bytes());
    f.extend_from_slice(&last_read.to_le_bytes());
    f
}

fn read_exactly(conn: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut got = vec![0u8; n];
    conn.read_exact(&mut got).unwrap();
    got
}

#[test]
fn serves_and_exits_cleanly_on_sigterm() {
    let address = {
        let free = TcpListener::bind("127.0.0.1:0").unwrap();
        free.local_addr().unwrap().to_string()
    };
    let mut child = Command::new(BINARY)
        .args([
            "serve",
            "--listen",
            &address,
            "--entries",
            "100",
            "--keys",
            "1000",
            "--write-back-ms",
            "1",
        ])
        .env("CLAIMBENCH_MARK_FD", "2")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 && !line.starts_with("ready ") {
        line.clear();
    }
    assert!(line.starts_with("ready "), "no ready mark");
    let mut conn = TcpStream::connect(&address).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();

    // Key (5, 3) starts at last read 699533833993 with 7 mentions (SPEC.md).
    let initial = 699_533_833_993;
    let mut pipelined = Vec::new();
    pipelined.extend_from_slice(&request(1, 5, 3, 0));
    pipelined.extend_from_slice(&request(3, 5, 3, 0));
    pipelined.extend_from_slice(&request(1, 1000, 0, 0)); // outside the key space
    pipelined.extend_from_slice(&request(2, 5, 3, initial + 1));
    conn.write_all(&pipelined[..45]).unwrap(); // a frame split across writes
    std::thread::sleep(Duration::from_millis(20));
    conn.write_all(&pipelined[45..]).unwrap();
    let mut want = response(0, 1, 5, 3, initial, 7);
    want.extend(response(0, 3, 5, 3, initial, 8));
    want.extend(response(2, 1, 0, 0, 0, 0));
    want.extend(response(0, 2, 5, 3, initial + 1, 0));
    assert_eq!(read_exactly(&mut conn, want.len()), want);

    // Every key, so the one changed above is evicted and written back, then reloaded.
    let every: Vec<u8> = (0..1000u64)
        .flat_map(|k| request(1, k / 16, k % 16, 0))
        .collect();
    conn.write_all(&every).unwrap();
    read_exactly(&mut conn, every.len());
    conn.write_all(&request(1, 5, 3, 0)).unwrap();
    assert_eq!(
        read_exactly(&mut conn, 32),
        response(0, 1, 5, 3, initial + 1, 0)
    );

    // A malformed frame: its error frame, then the connection closes.
    conn.write_all(&request(7, 5, 3, 0)).unwrap();
    assert_eq!(read_exactly(&mut conn, 32), response(1, 7, 0, 0, 0, 0));
    assert_eq!(
        conn.read(&mut [0u8; 32]).unwrap_or(0),
        0,
        "open after a malformed frame"
    );

    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("\"requests\": 1004") && report.contains("\"keys\": 1000"),
        "{report}"
    );
    assert!(
        !report.contains("\"written_back\": 0,") && !report.contains("\"evictions\": 0,"),
        "{report}"
    );
}
