//! Replays every fuzz target's committed corpus (`fuzz/corpus/<target>/`: seeds and what
//! fuzzing added) and regressions (`fuzz/regressions/<target>/`: inputs that once failed) under
//! plain `cargo test`, through the same entry functions the cargo-fuzz targets call. Also
//! checks that every target of `fuzz/Cargo.toml` is replayed here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A target's name, the path of its entry function, and the function.
type Target = (&'static str, &'static str, fn(&[u8]));

/// Every fuzz target, the path of the function its `fuzz_targets/<name>.rs` calls, and that
/// function.
const TARGETS: &[Target] = &[
    (
        "decode_block",
        "taosarrow_codec::fuzzing::decode_block_target",
        taosarrow_codec::fuzzing::decode_block_target,
    ),
    (
        "tmq_data_rsp",
        "taosarrow_codec::fuzzing::tmq_data_rsp_target",
        taosarrow_codec::fuzzing::tmq_data_rsp_target,
    ),
    (
        "stmt2_payload",
        "taosarrow_codec::fuzzing::stmt2_payload_target",
        taosarrow_codec::fuzzing::stmt2_payload_target,
    ),
    (
        "binary_frames",
        "taosarrow_protocol::fuzzing::binary_frames_target",
        taosarrow_protocol::fuzzing::binary_frames_target,
    ),
    (
        "json_request",
        "taosarrow_protocol::fuzzing::json_request_target",
        taosarrow_protocol::fuzzing::json_request_target,
    ),
    (
        "json_response",
        "taosarrow_protocol::fuzzing::json_response_target",
        taosarrow_protocol::fuzzing::json_response_target,
    ),
    (
        "dsn",
        "taosarrow_protocol::fuzzing::dsn_target",
        taosarrow_protocol::fuzzing::dsn_target,
    ),
    (
        "server_reply",
        "taosarrow::fuzzing::server_reply_target",
        taosarrow::fuzzing::server_reply_target,
    ),
    (
        "sql",
        "taosarrow_server::fuzzing::sql_target",
        taosarrow_server::fuzzing::sql_target,
    ),
    (
        "requests",
        "taosarrow_server::fuzzing::requests_target",
        taosarrow_server::fuzzing::requests_target,
    ),
    (
        "stmt1_bind",
        "taosarrow_server::fuzzing::stmt1_bind_target",
        taosarrow_server::fuzzing::stmt1_bind_target,
    ),
    (
        "sml_line",
        "taosarrow_server::fuzzing::sml_line_target",
        taosarrow_server::fuzzing::sml_line_target,
    ),
    (
        "sml_telnet",
        "taosarrow_server::fuzzing::sml_telnet_target",
        taosarrow_server::fuzzing::sml_telnet_target,
    ),
    (
        "tmq_requests",
        "taosarrow_server::fuzzing::tmq_requests_target",
        taosarrow_server::fuzzing::tmq_requests_target,
    ),
    (
        "sml_json",
        "taosarrow_server::fuzzing::sml_json_target",
        taosarrow_server::fuzzing::sml_json_target,
    ),
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .map(|e| e.expect("a readable corpus entry").path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

fn replay(name: &str) {
    let (_, _, target) = TARGETS
        .iter()
        .find(|(n, _, _)| *n == name)
        .expect("a listed target");
    let corpus = files(&fuzz_dir().join("corpus").join(name));
    assert!(!corpus.is_empty(), "fuzz/corpus/{name} has no seeds");
    let regressions = files(&fuzz_dir().join("regressions").join(name));
    for path in corpus.iter().chain(&regressions) {
        let data = std::fs::read(path).expect("a readable corpus file");
        let outcome = std::panic::catch_unwind(|| target(&data));
        assert!(outcome.is_ok(), "{name} failed on {}", path.display());
    }
}

macro_rules! replay_tests {
    ($($name:ident),* $(,)?) => {
        $(#[test] fn $name() { replay(stringify!($name)); })*
        /// The targets these tests replay, by name.
        const REPLAYED: &[&str] = &[$(stringify!($name)),*];
    };
}

replay_tests!(
    decode_block,
    tmq_data_rsp,
    stmt2_payload,
    binary_frames,
    json_request,
    json_response,
    dsn,
    server_reply,
    sql,
    requests,
    stmt1_bind,
    sml_line,
    sml_telnet,
    sml_json,
    tmq_requests,
);

#[test]
fn every_fuzz_target_is_replayed() {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("fuzz/Cargo.toml");
    let bins: BTreeSet<String> = manifest
        .split("[[bin]]")
        .skip(1)
        .filter_map(|section| {
            let line = section
                .lines()
                .find(|l| l.trim_start().starts_with("name"))?;
            Some(line.split('"').nth(1)?.to_owned())
        })
        .filter(|n| n != "seed_corpus")
        .collect();
    let listed: BTreeSet<String> = TARGETS.iter().map(|(n, _, _)| (*n).to_owned()).collect();
    let replayed: BTreeSet<String> = REPLAYED.iter().map(|n| (*n).to_owned()).collect();
    assert_eq!(bins, listed, "fuzz/Cargo.toml targets vs TARGETS");
    assert_eq!(listed, replayed, "TARGETS vs replay tests");
    for (name, path, _) in TARGETS {
        let src = std::fs::read_to_string(fuzz_dir().join(format!("fuzz_targets/{name}.rs")))
            .expect("the target's source");
        assert!(
            src.contains(&format!("{path}(data)")),
            "fuzz_targets/{name}.rs calls {path}"
        );
    }
}
