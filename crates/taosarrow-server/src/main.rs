//! `taosarrow serve`: runs the embedded TDengine-compatible server until SIGINT or SIGTERM.
//!
//! Prints the listening URL (`ws://HOST:PORT`) as the first line on stdout. Arguments are
//! parsed by hand: six flags do not justify a dependency.

use std::process::ExitCode;
use std::time::Duration;

use taosarrow_server::{FaultConfig, LocalServer, ServerConfig};

const USAGE: &str = "usage: taosarrow serve [--host H] [--port 6041] [--user U --password P] \
[--block-rows N] [--memory-limit-mb N] [--drop-after-frames N] [--reply-delay-ms MS] [--stall] [--corrupt-blocks]";

fn parse_args(args: &[String]) -> Result<ServerConfig, String> {
    let mut config = ServerConfig {
        port: 6041,
        ..ServerConfig::default()
    };
    let mut faults = FaultConfig::default();
    let mut it = args.iter();
    match it.next().map(String::as_str) {
        Some("serve") => {}
        Some(other) => return Err(format!("unknown command {other:?}")),
        None => return Err("missing command".to_owned()),
    }
    while let Some(flag) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        fn number<T: std::str::FromStr>(name: &str, v: String) -> Result<T, String> {
            v.parse()
                .map_err(|_| format!("{name}: not a valid number: {v:?}"))
        }
        match flag.as_str() {
            "--host" => config.host = value("--host")?,
            "--port" => config.port = number("--port", value("--port")?)?,
            "--user" => config.user = value("--user")?,
            "--password" => config.password = value("--password")?,
            "--block-rows" => {
                let n: usize = number("--block-rows", value("--block-rows")?)?;
                if n == 0 {
                    return Err("--block-rows must be at least 1".to_owned());
                }
                config.block_rows = n;
            }
            "--memory-limit-mb" => {
                let mb: usize = number("--memory-limit-mb", value("--memory-limit-mb")?)?;
                config.memory_limit = mb
                    .checked_mul(1 << 20)
                    .filter(|&b| b > 0)
                    .ok_or("--memory-limit-mb must be at least 1 and fit in memory")?;
            }
            "--drop-after-frames" => {
                faults.drop_after_frames = Some(number(
                    "--drop-after-frames",
                    value("--drop-after-frames")?,
                )?)
            }
            "--reply-delay-ms" => {
                let ms: u64 = number("--reply-delay-ms", value("--reply-delay-ms")?)?;
                faults.reply_delay = Some(Duration::from_millis(ms));
            }
            "--stall" => faults.stall = true,
            "--corrupt-blocks" => faults.corrupt_blocks = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    config.faults = faults;
    Ok(config)
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse_args(&args) {
        Ok(c) => c,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("taosarrow: {msg}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("taosarrow: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let server = match LocalServer::start(config).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("taosarrow: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!("{}", server.url());
        use std::io::Write;
        let _ = std::io::stdout().flush();
        wait_for_signal().await;
        server.shutdown();
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_flags() {
        let c = parse_args(&args(
            "serve --host 0.0.0.0 --port 0 --user u --password p --block-rows 7 --stall",
        ))
        .unwrap();
        assert_eq!(
            (
                c.host.as_str(),
                c.port,
                c.user.as_str(),
                c.password.as_str()
            ),
            ("0.0.0.0", 0, "u", "p")
        );
        assert_eq!(c.block_rows, 7);
        assert!(c.faults.stall);
        assert_eq!(c.memory_limit, taosarrow_server::DEFAULT_MEMORY_LIMIT);
        let c = parse_args(&args("serve --memory-limit-mb 64")).unwrap();
        assert_eq!(c.memory_limit, 64 << 20);
        assert_eq!(parse_args(&args("serve")).unwrap().port, 6041);
        let c = parse_args(&args(
            "serve --drop-after-frames 3 --reply-delay-ms 20 --corrupt-blocks",
        ))
        .unwrap();
        assert_eq!(c.faults.drop_after_frames, Some(3));
        assert_eq!(c.faults.reply_delay, Some(Duration::from_millis(20)));
        assert!(c.faults.corrupt_blocks);
    }

    #[test]
    fn rejects_bad_input() {
        for bad in [
            "",
            "run",
            "serve --port",
            "serve --port x",
            "serve --port 70000",
            "serve --bogus",
            "serve --block-rows 0",
            "serve --memory-limit-mb 0",
            "serve --memory-limit-mb 99999999999999999",
        ] {
            assert!(parse_args(&args(bad)).is_err(), "{bad:?}");
        }
    }
}
