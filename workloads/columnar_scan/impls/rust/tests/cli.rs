//! End-to-end tests of the `columnar_scan` binary, run as the harness runs it: every query's answer on
//! a small hand-checked data directory, the same answers on every thread count over several morsels,
//! the marks, and every kind of broken input as exit status 2 with one line on stderr and nothing on
//! stdout. Marks are read from stderr (CLAIMBENCH_MARK_FD=2), so no extra descriptor is passed.

mod fixture;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use claimbench_columnar_scan::decimal::days;
use fixture::{Table, TempDir, Values};

const BINARY: &str = env!("CARGO_BIN_EXE_columnar_scan");

fn columnar_scan(args: &[&str]) -> Output {
    Command::new(BINARY)
        .args(args)
        .env("CLAIMBENCH_MARK_FD", "2")
        .output()
        .expect("run columnar_scan")
}

fn query(data: &Path, name: &str, threads: u32) -> Output {
    columnar_scan(&[
        "query",
        "--data",
        data.to_str().unwrap(),
        "--query",
        name,
        "--threads",
        &threads.to_string(),
    ])
}

fn stdout_of(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// One lineitem row, money in hundredths and the ship date in days.
struct Line {
    orderkey: i64,
    quantity: i64,
    price: i64,
    discount: i64,
    tax: i64,
    flag: u8,
    status: u8,
    shipdate: i32,
}

struct Order {
    orderkey: i64,
    custkey: i32,
    orderdate: i32,
    totalprice: i64,
    shippriority: i32,
}

fn lineitem_table(lines: &[Line]) -> Table {
    let int64 = |field: fn(&Line) -> i64| lines.iter().map(field).collect::<Vec<i64>>();
    let byte = |field: fn(&Line) -> u8| lines.iter().map(field).collect::<Vec<u8>>();
    Table {
        name: "lineitem",
        columns: vec![
            ("l_orderkey", Values::Int64(int64(|l| l.orderkey))),
            ("l_quantity", Values::Decimal(int64(|l| l.quantity))),
            ("l_extendedprice", Values::Decimal(int64(|l| l.price))),
            ("l_discount", Values::Decimal(int64(|l| l.discount))),
            ("l_tax", Values::Decimal(int64(|l| l.tax))),
            ("l_returnflag", Values::Char(byte(|l| l.flag))),
            ("l_linestatus", Values::Char(byte(|l| l.status))),
            (
                "l_shipdate",
                Values::Date(lines.iter().map(|l| l.shipdate).collect()),
            ),
        ],
    }
}

fn orders_table(orders: &[Order]) -> Table {
    let int32 = |field: fn(&Order) -> i32| orders.iter().map(field).collect::<Vec<i32>>();
    let int64 = |field: fn(&Order) -> i64| orders.iter().map(field).collect::<Vec<i64>>();
    Table {
        name: "orders",
        columns: vec![
            ("o_orderkey", Values::Int64(int64(|o| o.orderkey))),
            ("o_custkey", Values::Int32(int32(|o| o.custkey))),
            ("o_orderdate", Values::Date(int32(|o| o.orderdate))),
            ("o_totalprice", Values::Decimal(int64(|o| o.totalprice))),
            ("o_shippriority", Values::Int32(int32(|o| o.shippriority))),
        ],
    }
}

/// (custkey, mktsegment); names are dbgen's `Customer#%09d`.
fn customer_table(customers: &[(i32, &str)]) -> Table {
    Table {
        name: "customer",
        columns: vec![
            (
                "c_custkey",
                Values::Int32(customers.iter().map(|c| c.0).collect()),
            ),
            (
                "c_name",
                Values::String(
                    customers
                        .iter()
                        .map(|c| format!("Customer#{:09}", c.0))
                        .collect(),
                ),
            ),
            (
                "c_mktsegment",
                Values::String(customers.iter().map(|c| c.1.to_string()).collect()),
            ),
        ],
    }
}

#[test]
fn every_query_prints_the_hand_checked_answer_between_ready_and_done() {
    let dir = TempDir::new("hand_checked");
    let answers = fixture::write_hand_checked(&dir.0);
    assert_eq!(answers.len(), 4);
    for (name, expected) in &answers {
        for threads in [1, 2] {
            let out = query(&dir.0, name, threads);
            assert_eq!(&stdout_of(&out), expected, "{name} on {threads} threads");
            let stderr = String::from_utf8_lossy(&out.stderr);
            let marks: Vec<(&str, u64)> = stderr
                .lines()
                .map(|line| {
                    let (mark, ns) = line.split_once(' ').unwrap();
                    (mark, ns.parse().unwrap())
                })
                .collect();
            assert_eq!(
                marks.iter().map(|m| m.0).collect::<Vec<_>>(),
                ["ready", "done"]
            );
            assert!(marks[0].1 <= marks[1].1);
        }
    }
}

#[test]
fn without_the_variable_no_marks_are_written() {
    let dir = TempDir::new("no_marks");
    fixture::write_hand_checked(&dir.0);
    let out = Command::new(BINARY)
        .args(["query", "--data", dir.0.to_str().unwrap(), "--query", "q6"])
        .output()
        .unwrap();
    assert_eq!(stdout_of(&out), "revenue\n225.50\n");
    assert!(out.stderr.is_empty());
}

/// SplitMix64: a seeded stream of values for the larger data set.
struct Random(u64);

impl Random {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % bound
    }
}

/// TPC-H-shaped data (its domains, not its distributions) over several morsels of lineitem, so that
/// threads share the work; orders' lines are shuffled over the table, not adjacent.
fn write_random(dir: &Path, orders: usize) {
    let mut random = Random(7);
    let customers = 300;
    let segments = [
        "AUTOMOBILE",
        "BUILDING",
        "FURNITURE",
        "HOUSEHOLD",
        "MACHINERY",
    ];
    let first_day = days(1992, 1, 1);
    let mut order_rows = Vec::new();
    let mut lines = Vec::new();
    for o in 0..orders as i64 {
        let orderkey = (o / 8) * 32 + o % 8 + 1;
        let orderdate = first_day + random.below(2400) as i32;
        order_rows.push(Order {
            orderkey,
            custkey: 1 + random.below(customers) as i32,
            orderdate,
            totalprice: 1 + random.below(50_000_000) as i64,
            shippriority: 0,
        });
        for _ in 0..1 + random.below(7) {
            let shipdate = orderdate + 1 + random.below(121) as i32;
            let quantity = 100 * (1 + random.below(50) as i64);
            let open = shipdate > days(1995, 6, 17);
            let flag = if open {
                b'N'
            } else {
                [b'A', b'R'][random.below(2) as usize]
            };
            lines.push(Line {
                orderkey,
                quantity,
                price: quantity * (900 + random.below(1200) as i64),
                discount: random.below(11) as i64,
                tax: random.below(9) as i64,
                flag,
                status: if open { b'O' } else { b'F' },
                shipdate,
            });
        }
    }
    // Shuffle (Fisher-Yates) so that no morsel holds all of an order's lines.
    for i in (1..lines.len()).rev() {
        lines.swap(i, random.below(i as u64 + 1) as usize);
    }
    let customer_rows: Vec<(i32, &str)> = (1..=customers as i32)
        .map(|c| (c, segments[random.below(5) as usize]))
        .collect();
    let tables = [
        lineitem_table(&lines),
        orders_table(&order_rows),
        customer_table(&customer_rows),
    ];
    fixture::write(dir, &tables);
}

#[test]
fn every_thread_count_gives_the_same_answer_over_many_morsels() {
    let dir = TempDir::new("random");
    write_random(&dir.0, 60_000); // about 240,000 lines: four morsels of 2^16
    for name in ["q1", "q6", "q3", "q18"] {
        let one = stdout_of(&query(&dir.0, name, 1));
        assert!(one.lines().count() > 1, "{name} has rows:\n{one}");
        for threads in [2, 3] {
            assert_eq!(
                stdout_of(&query(&dir.0, name, threads)),
                one,
                "{name} on {threads} threads"
            );
        }
    }
}

/// Runs `args` and checks the SPEC's error contract: exit 2, one line on stderr naming the problem,
/// nothing on stdout. Mark lines (on stderr here) are left out.
fn assert_clear_error(args: &[&str], needle: &str) {
    let out = columnar_scan(args);
    let stderr: String = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|line| !line.starts_with("ready ") && !line.starts_with("done "))
        .map(|line| format!("{line}\n"))
        .collect();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    assert!(stderr.starts_with("columnar_scan: error: "), "{stderr}");
    assert!(
        stderr.contains(needle),
        "{args:?}: '{needle}' not in {stderr}"
    );
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let dir = TempDir::new("usage");
    fixture::write_hand_checked(&dir.0);
    let data = dir.0.to_str().unwrap();
    for (args, needle) in [
        (&[][..], "subcommand"),
        (&["query", "--data", data], "--query"),
        (&["query", "--query", "q1"], "--data"),
        (
            &["query", "--data", data, "--query", "q2"],
            "possible values: q1, q6, q3, q18",
        ),
        (
            &["query", "--data", data, "--query", "q1", "--threads", "0"],
            "--threads",
        ),
        (
            &[
                "query",
                "--data",
                data,
                "--query",
                "q1",
                "--threads",
                "many",
            ],
            "--threads",
        ),
        (
            &[
                "query",
                "--data",
                data,
                "--query",
                "q1",
                "--threads",
                "1025",
            ],
            "--threads",
        ),
        (
            &["query", "--data", data, "--query", "q1", "--frobnicate"],
            "--frobnicate",
        ),
        (&["generate", "--sf", "1", "--out", data], "generate"),
    ] {
        assert_clear_error(args, needle);
    }
}

/// A copy of the hand-checked directory with `damage` applied; the query must refuse it.
fn assert_broken(name: &str, query: &str, needle: &str, damage: impl FnOnce(&Path)) {
    let dir = TempDir::new(name);
    fixture::write_hand_checked(&dir.0);
    damage(&dir.0);
    assert_clear_error(
        &["query", "--data", dir.0.to_str().unwrap(), "--query", query],
        needle,
    );
}

fn rewrite_column_file(dir: &Path, path: &str, contents: &[u8], column: (&str, &str), file: usize) {
    fs::write(dir.join(path), contents).unwrap();
    let mut manifest = fixture::read_manifest(dir);
    let entry = &mut fixture::column_entry(&mut manifest, column.0, column.1)["files"][file];
    entry["checksum"] = format!(
        "{:016x}",
        claimbench_columnar_scan::checksum::checksum64(contents)
    )
    .into();
    entry["bytes"] = contents.len().into();
    fixture::write_manifest(dir, &manifest);
}

#[test]
fn broken_data_exits_2_with_one_line_never_a_panic() {
    assert_broken("missing_dir", "q1", "cannot read", |dir| {
        fs::remove_dir_all(dir).unwrap()
    });
    assert_broken("no_manifest", "q1", "generate --sf N --out DIR", |dir| {
        fs::remove_file(dir.join("manifest.json")).unwrap()
    });
    assert_broken("not_json", "q1", "not valid JSON", |dir| {
        fs::write(dir.join("manifest.json"), "{\"format\": ").unwrap()
    });
    assert_broken("wrong_format", "q1", "format is not", |dir| {
        let mut manifest = fixture::read_manifest(dir);
        manifest["format"] = "parquet".into();
        fixture::write_manifest(dir, &manifest);
    });
    assert_broken("wrong_version", "q1", "version 2 is not supported", |dir| {
        let mut manifest = fixture::read_manifest(dir);
        manifest["version"] = 2.into();
        fixture::write_manifest(dir, &manifest);
    });
    assert_broken("missing_field", "q1", "rows", |dir| {
        let mut manifest = fixture::read_manifest(dir);
        manifest["tables"][0]
            .as_object_mut()
            .unwrap()
            .remove("rows");
        fixture::write_manifest(dir, &manifest);
    });
    assert_broken("negative_rows", "q1", "rows", |dir| {
        let mut manifest = fixture::read_manifest(dir);
        manifest["tables"][0]["rows"] = (-1).into();
        fixture::write_manifest(dir, &manifest);
    });
    assert_broken("unknown_type", "q1", "float", |dir| {
        let mut manifest = fixture::read_manifest(dir);
        fixture::column_entry(&mut manifest, "lineitem", "l_tax")["type"] = "float".into();
        fixture::write_manifest(dir, &manifest);
    });
    assert_broken("other_type", "q1", "the query needs", |dir| {
        let mut manifest = fixture::read_manifest(dir);
        fixture::column_entry(&mut manifest, "lineitem", "l_shipdate")["type"] = "int32".into();
        fixture::write_manifest(dir, &manifest);
    });
    assert_broken("rows_disagree", "q6", "rows need", |dir| {
        let mut manifest = fixture::read_manifest(dir);
        manifest["tables"][0]["rows"] = 1000.into();
        fixture::write_manifest(dir, &manifest);
    });
    assert_broken(
        "bad_checksum_text",
        "q1",
        "16 lower-case hex digits",
        |dir| {
            let mut manifest = fixture::read_manifest(dir);
            fixture::column_entry(&mut manifest, "lineitem", "l_tax")["files"][0]["checksum"] =
                "XYZ".into();
            fixture::write_manifest(dir, &manifest);
        },
    );
    assert_broken("escaping_path", "q1", "not a plain relative path", |dir| {
        let mut manifest = fixture::read_manifest(dir);
        fixture::column_entry(&mut manifest, "lineitem", "l_tax")["files"][0]["path"] =
            "../../etc/passwd".into();
        fixture::write_manifest(dir, &manifest);
    });
    assert_broken("absolute_path", "q1", "not a plain relative path", |dir| {
        let mut manifest = fixture::read_manifest(dir);
        fixture::column_entry(&mut manifest, "lineitem", "l_tax")["files"][0]["path"] =
            "/etc/passwd".into();
        fixture::write_manifest(dir, &manifest);
    });
    assert_broken(
        "missing_column",
        "q3",
        "no column orders.o_shippriority",
        |dir| {
            let mut manifest = fixture::read_manifest(dir);
            let orders = manifest["tables"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .find(|t| t["name"] == "orders")
                .unwrap();
            orders["columns"]
                .as_array_mut()
                .unwrap()
                .retain(|c| c["name"] != "o_shippriority");
            fixture::write_manifest(dir, &manifest);
        },
    );
    assert_broken("missing_file", "q6", "cannot open", |dir| {
        fs::remove_file(dir.join("lineitem/l_discount.bin")).unwrap()
    });
    assert_broken("truncated", "q6", "truncated", |dir| {
        let path = dir.join("lineitem/l_extendedprice.bin");
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
    });
    assert_broken("corrupt", "q6", "corrupt", |dir| {
        let path = dir.join("lineitem/l_quantity.bin");
        let mut bytes = fs::read(&path).unwrap();
        bytes[5] ^= 0x10;
        fs::write(&path, &bytes).unwrap();
    });
    assert_broken(
        "directory_for_file",
        "q6",
        "lineitem/l_quantity.bin",
        |dir| {
            fs::remove_file(dir.join("lineitem/l_quantity.bin")).unwrap();
            fs::create_dir(dir.join("lineitem/l_quantity.bin")).unwrap();
        },
    );
    // Offsets with matching checksums, so that only the offsets check can catch them.
    let offsets = |values: &[u64]| {
        values
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<u8>>()
    };
    assert_broken(
        "offsets_past_the_data",
        "q18",
        "offsets of column customer.c_name",
        |dir| {
            rewrite_column_file(
                dir,
                "customer/c_name.offsets",
                &offsets(&[0, 18, 36, 9999]),
                ("customer", "c_name"),
                0,
            )
        },
    );
    assert_broken(
        "offsets_decreasing",
        "q18",
        "offsets of column customer.c_name",
        |dir| {
            rewrite_column_file(
                dir,
                "customer/c_name.offsets",
                &offsets(&[0, 36, 18, 54]),
                ("customer", "c_name"),
                0,
            )
        },
    );
    assert_broken(
        "offsets_not_from_zero",
        "q3",
        "offsets of column customer.c_mktsegment",
        |dir| {
            rewrite_column_file(
                dir,
                "customer/c_mktsegment.offsets",
                &offsets(&[1, 8, 18, 26]),
                ("customer", "c_mktsegment"),
                0,
            )
        },
    );
    assert_broken("flag_outside_the_domain", "q1", "outside A, N, R", |dir| {
        let mut flags = fs::read(dir.join("lineitem/l_returnflag.bin")).unwrap();
        flags[0] = b'X';
        rewrite_column_file(
            dir,
            "lineitem/l_returnflag.bin",
            &flags,
            ("lineitem", "l_returnflag"),
            0,
        )
    });
}

#[test]
fn empty_tables_give_a_header_and_no_rows() {
    let dir = TempDir::new("empty");
    fixture::write(
        &dir.0,
        &[lineitem_table(&[]), orders_table(&[]), customer_table(&[])],
    );
    for (name, expected) in fixture::write_hand_checked(&TempDir::new("answers").0) {
        let header = expected.lines().next().unwrap();
        let answer = stdout_of(&query(&dir.0, &name, 2));
        if name == "q6" {
            assert_eq!(answer, "revenue\n0.00\n");
        } else {
            assert_eq!(answer, format!("{header}\n"), "{name}");
        }
    }
}
