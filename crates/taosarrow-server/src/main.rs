//! `taosarrow serve`: runs the embedded TDengine-compatible server until SIGINT or SIGTERM.
//!
//! Prints the listening URL (`ws://HOST:PORT`) as the first line on stdout. Arguments are
//! parsed by hand: a few flags do not justify a dependency.

use std::process::ExitCode;
use std::time::Duration;

use taosarrow_server::{FaultConfig, LocalServer, ServerConfig};

const USAGE: &str = "usage: taosarrow serve [--host H] [--port 6041] [--user U --password P] \
[--block-rows N] [--memory-limit-mb N] [--max-message-bytes N] [--max-connections N] [--login-timeout-ms MS] \
[--idle-timeout-ms MS] [--write-timeout-ms MS] [--max-results N] [--max-statements N] \
[--max-bind-rows N] [--max-bind-bytes N] [--timezone IANA-ZONE] \
[--drop-after-frames N] [--lose-reply N] [--withhold-after-frames N] [--reply-delay-ms MS] \
[--stall] [--corrupt-blocks]";

/// A limit flag's value: a number of at least 1.
fn positive(name: &str, v: String) -> Result<usize, String> {
    match v.parse::<usize>() {
        Ok(0) => Err(format!("{name} must be at least 1")),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("{name}: not a valid number: {v:?}")),
    }
}

/// A timeout flag's value in milliseconds, at least 1.
fn millis(name: &str, v: String) -> Result<Duration, String> {
    positive(name, v).map(|ms| Duration::from_millis(ms as u64))
}

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
            "--timezone" => {
                let v = value(flag)?;
                let tz = v
                    .parse()
                    .map_err(|_| format!("--timezone: not an IANA time zone: {v:?}"))?;
                config.timezone = Some(tz);
            }
            "--block-rows" => {
                let n: usize = number("--block-rows", value("--block-rows")?)?;
                if n == 0 {
                    return Err("--block-rows must be at least 1".to_owned());
                }
                config.block_rows = n;
            }
            "--max-message-bytes" => {
                config.max_message_bytes = positive(flag, value(flag)?)?;
            }
            "--max-connections" => config.max_connections = positive(flag, value(flag)?)?,
            "--login-timeout-ms" => config.login_timeout = millis(flag, value(flag)?)?,
            "--idle-timeout-ms" => config.idle_timeout = millis(flag, value(flag)?)?,
            "--write-timeout-ms" => config.write_timeout = millis(flag, value(flag)?)?,
            "--max-results" => config.max_results = positive(flag, value(flag)?)?,
            "--max-statements" => config.max_statements = positive(flag, value(flag)?)?,
            "--max-bind-rows" => config.max_bind_rows = positive(flag, value(flag)?)?,
            "--max-bind-bytes" => config.max_bind_bytes = positive(flag, value(flag)?)?,
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
            "--lose-reply" => {
                faults.lose_reply = Some(number("--lose-reply", value("--lose-reply")?)?)
            }
            "--withhold-after-frames" => {
                faults.withhold_after_frames = Some(number(
                    "--withhold-after-frames",
                    value("--withhold-after-frames")?,
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
        let c = parse_args(&args("serve --timezone Asia/Shanghai")).unwrap();
        assert_eq!(c.timezone, Some(chrono_tz::Tz::Asia__Shanghai));
        assert!(parse_args(&args("serve --timezone Mars/Olympus")).is_err());
        assert_eq!(parse_args(&args("serve")).unwrap().port, 6041);
        let c = parse_args(&args(
            "serve --drop-after-frames 3 --withhold-after-frames 4 --reply-delay-ms 20 --corrupt-blocks",
        ))
        .unwrap();
        assert_eq!(c.faults.drop_after_frames, Some(3));
        assert_eq!(c.faults.withhold_after_frames, Some(4));
        assert_eq!(c.faults.reply_delay, Some(Duration::from_millis(20)));
        assert!(c.faults.corrupt_blocks);
    }

    #[test]
    fn parses_limits() {
        let c = parse_args(&args(
            "serve --max-message-bytes 1024 --max-connections 3 --login-timeout-ms 250 \
             --idle-timeout-ms 500 --write-timeout-ms 750 --max-results 4 --max-statements 5 \
             --max-bind-rows 6 --max-bind-bytes 7",
        ))
        .unwrap();
        assert_eq!((c.max_message_bytes, c.max_connections), (1024, 3));
        assert_eq!(
            (c.login_timeout, c.idle_timeout, c.write_timeout),
            (
                Duration::from_millis(250),
                Duration::from_millis(500),
                Duration::from_millis(750)
            )
        );
        assert_eq!(
            (
                c.max_results,
                c.max_statements,
                c.max_bind_rows,
                c.max_bind_bytes
            ),
            (4, 5, 6, 7)
        );
        let d = parse_args(&args("serve")).unwrap();
        assert_eq!(
            d.max_connections,
            taosarrow_server::config::DEFAULT_MAX_CONNECTIONS
        );
        for bad in [
            "serve --max-connections 0",
            "serve --write-timeout-ms 0",
            "serve --max-results x",
            "serve --max-bind-bytes",
        ] {
            assert!(parse_args(&args(bad)).is_err(), "{bad:?}");
        }
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
