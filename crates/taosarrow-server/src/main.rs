//! `taosarrow serve`: runs the embedded TDengine-compatible server.
fn main() {
    eprintln!("usage: taosarrow serve [--host H] [--port 6041] [--user U --password P]");
    std::process::exit(2);
}
