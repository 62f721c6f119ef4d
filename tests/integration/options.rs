//! DSN parsing, the builder, secret redaction and error classification.

use std::time::Duration;

use taosarrow::{classify, Code, ConnectOptions, Error, ErrorKind};

#[test]
fn dsn_defaults_and_params() {
    let o = ConnectOptions::from_dsn("ws://").unwrap();
    assert_eq!(o.addresses_text(), "localhost:6041");
    assert_eq!(o.conn_retries(), 5);
    assert_eq!(o.retry_backoff(), Duration::from_millis(200));
    assert_eq!(o.retry_backoff_max(), Duration::from_millis(2000));
    assert_eq!(o.read_timeout(), Duration::from_secs(300));
    assert_eq!(o.connect_timeout(), Duration::from_secs(10));
    assert!(o.tcp_nodelay());
    assert!(!o.compression());
    assert_eq!(o.user(), "root");

    let o = ConnectOptions::from_dsn(
        "wss://u:p@h1:1,[::1]:2/db?timezone=Asia/Shanghai&compression=true&conn_retries=2\
         &retry_backoff_ms=10&retry_backoff_max_ms=50&read_timeout=3&connect_timeout=1.5&tcp_nodelay=false",
    )
    .unwrap();
    assert!(o.tls());
    assert_eq!(o.addresses_text(), "h1:1,[::1]:2");
    assert_eq!(o.database(), Some("db"));
    assert_eq!(o.timezone(), Some("Asia/Shanghai"));
    assert!(o.compression());
    assert_eq!(o.conn_retries(), 2);
    assert_eq!(o.retry_backoff(), Duration::from_millis(10));
    assert_eq!(o.retry_backoff_max(), Duration::from_millis(50));
    assert_eq!(o.read_timeout(), Duration::from_secs(3));
    assert_eq!(o.connect_timeout(), Duration::from_millis(1500));
    assert!(!o.tcp_nodelay());
}

#[test]
fn builder_matches_dsn() {
    let a = ConnectOptions::new()
        .with_host("127.0.0.1", 7000)
        .with_credentials("u", "p")
        .with_database("db")
        .with_timezone("UTC")
        .unwrap()
        .with_conn_retries(1)
        .with_retry_backoff(Duration::from_millis(5), Duration::from_millis(9))
        .with_read_timeout(Duration::from_secs(2))
        .with_connect_timeout(Duration::from_secs(1))
        .with_tcp_nodelay(false);
    let b = ConnectOptions::from_dsn(
        "ws://u:p@127.0.0.1:7000/db?timezone=UTC&conn_retries=1&retry_backoff_ms=5\
         &retry_backoff_max_ms=9&read_timeout=2&connect_timeout=1&tcp_nodelay=false",
    )
    .unwrap();
    assert_eq!(a, b);
}

#[test]
fn bad_params_are_clear_errors() {
    for (dsn, needle) in [
        ("ws://h?bogus=1", "unknown parameter `bogus`"),
        ("ws://h?timezone=Mars/Base", "unknown time zone"),
        ("ws://h?conn_retries=-1", "conn_retries"),
        ("ws://h?read_timeout=abc", "read_timeout"),
        ("ws://h?compression=maybe", "compression"),
        ("ws://h:0", "bad port"),
        ("ftp://h", "unsupported driver"),
        ("localhost:6041", "expected"),
    ] {
        let e = ConnectOptions::from_dsn(dsn).unwrap_err();
        assert!(matches!(e, Error::Options(_)), "{dsn}: {e:?}");
        assert_eq!(e.kind(), ErrorKind::Interface);
        assert!(e.to_string().contains(needle), "{dsn}: {e}");
    }
}

#[test]
fn secrets_never_printed() {
    let o = ConnectOptions::from_dsn("ws://root:S3cr3tPw@h:1/db?token=T0kenXYZ").unwrap();
    for text in [format!("{o:?}"), format!("{o}")] {
        assert!(!text.contains("S3cr3tPw"), "{text}");
        assert!(!text.contains("T0kenXYZ"), "{text}");
    }
    assert!(format!("{o}").contains("root@h:1/db"));
    let e = ConnectOptions::from_dsn("ws://root:S3cr3t%G1@h:1").unwrap_err();
    assert!(!e.to_string().contains("S3cr3t"));
    let e = ConnectOptions::from_dsn("ws://root:S3cr3tPw@h:1?nope=1").unwrap_err();
    assert!(!e.to_string().contains("S3cr3tPw"));
}

#[test]
fn backoff_is_exponential_with_capped_jitter() {
    let o = ConnectOptions::new()
        .with_retry_backoff(Duration::from_millis(100), Duration::from_millis(1000));
    for _ in 0..200 {
        let d0 = o.backoff(0);
        assert!(
            d0 >= Duration::from_millis(80) && d0 <= Duration::from_millis(120),
            "{d0:?}"
        );
        let d2 = o.backoff(2);
        assert!(
            d2 >= Duration::from_millis(320) && d2 <= Duration::from_millis(480),
            "{d2:?}"
        );
        assert!(o.backoff(10) <= Duration::from_millis(1000));
        assert!(o.backoff(10) >= Duration::from_millis(800));
    }
}

#[test]
fn error_classification() {
    assert_eq!(classify(Code::PAR_SYNTAX_ERROR), ErrorKind::Query);
    assert_eq!(classify(Code(0x0357)), ErrorKind::Connection);
    assert_eq!(classify(Code(0x021B)), ErrorKind::Schemaless);
    assert_eq!(classify(Code(0xFFFF)), ErrorKind::Protocol);
    let e = Error::Timeout {
        what: "response",
        after: Duration::from_secs(1),
    };
    assert_eq!(e.kind(), ErrorKind::Connection);
    assert_eq!(e.code(), Some(Code(0xE004)));
}

#[test]
fn set_accepts_every_listed_key_and_refuses_others() {
    let ca = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tls/ca.pem");
    let sample = |key: &str| match key {
        "port" | "conn_retries" | "retry_backoff_ms" | "retry_backoff_max_ms" => "7",
        "conn_mode" => "1",
        "read_timeout" | "connect_timeout" => "1.5",
        "compression" | "tcp_nodelay" | "reconnect" | "retry_writes" | "bi_mode" | "websocket" => {
            "true"
        }
        "ns_timestamps" => "pandas",
        "max_message_size" | "schemaless_batch_bytes" => "1048576",
        "timezone" => "UTC",
        "tls_ca" => ca,
        _ => "x",
    };
    for key in ConnectOptions::KEYS {
        let mut o = ConnectOptions::new();
        o.set(key, sample(key))
            .unwrap_or_else(|e| panic!("{key}: {e}"));
    }
    let mut o = ConnectOptions::new();
    let e = o.set("bogus", "1").unwrap_err();
    assert!(matches!(e, Error::Options(_)), "{e:?}");
    assert!(e.to_string().contains("unknown parameter `bogus`"), "{e}");
    for (key, value) in [
        ("port", "0"),
        ("port", "70000"),
        ("conn_retries", "-1"),
        ("read_timeout", "-1"),
        ("read_timeout", "0"),
        ("connect_timeout", "0"),
        ("max_message_size", "0"),
        ("schemaless_batch_bytes", "0"),
        ("reconnect", "maybe"),
        ("compression", "maybe"),
        ("timezone", "Mars/Base"),
        ("conn_mode", "x"),
        ("bi_mode", "maybe"),
        ("websocket", "http2"),
        ("ns_timestamps", "float"),
        ("decode_binary", "false"),
    ] {
        let e = o.set(key, value).unwrap_err();
        assert!(
            e.to_string().contains(key) || key == "timezone",
            "{key}: {e}"
        );
    }
    // A refused value leaves the options as they were.
    assert_eq!(o, ConnectOptions::new());
}

#[test]
fn set_matches_the_builder() {
    let mut o = ConnectOptions::from_dsn("ws://u:p@h1:1/db").unwrap();
    o.set("host", "h2").unwrap();
    assert_eq!(o.addresses_text(), "h2:1");
    o.set("port", "9").unwrap();
    assert_eq!(o.addresses_text(), "h2:9");
    o.set("user", "v").unwrap();
    // Setting the user keeps the password.
    let want = ConnectOptions::new()
        .with_host("h2", 9)
        .with_credentials("v", "p")
        .with_database("db")
        .with_read_timeout(Duration::from_millis(2500));
    o.set("read_timeout", "2.5").unwrap();
    assert_eq!(o, want);
    let mut bare = ConnectOptions::from_dsn("ws://h3/").unwrap();
    bare.set("host", "h4").unwrap();
    assert_eq!(bare.addresses_text(), "h4:6041");
}

#[test]
fn new_options_parse_from_the_dsn() {
    let o = ConnectOptions::from_dsn(
        "ws://h:1?max_message_size=1024&reconnect=false&retry_writes=true",
    )
    .unwrap();
    assert_eq!(o.max_message_size(), 1024);
    assert!(!o.reconnect());
    assert!(o.retry_writes());
    let d = ConnectOptions::new();
    assert_eq!(d.max_message_size(), 256 << 20);
    assert!(d.reconnect());
    assert!(!d.retry_writes());
}

#[test]
fn a_zero_read_timeout_is_refused() {
    let e = ConnectOptions::from_dsn("ws://h:1?read_timeout=0").unwrap_err();
    assert!(matches!(e, Error::Options(_)), "{e:?}");
    assert!(e.to_string().contains("read_timeout"), "{e}");
    // The builder cannot fail: connecting refuses it before any network traffic.
    let o = ConnectOptions::new()
        .with_host("127.0.0.1", 1)
        .with_read_timeout(Duration::ZERO);
    let e = taosarrow::blocking::Connection::connect(&o).unwrap_err();
    assert!(matches!(e, Error::Options(_)), "{e:?}");
    assert!(e.to_string().contains("read_timeout"), "{e}");
}

#[test]
fn debug_hides_the_password() {
    let o = ConnectOptions::from_dsn("ws://root:s3cr3t-pw@h:1/db?token=t0k3n-secret").unwrap();
    let text = format!("{o:?}");
    assert!(!text.contains("s3cr3t-pw"), "{text}");
    assert!(!text.contains("t0k3n-secret"), "{text}");
}

#[test]
fn aliases_name_the_same_options() {
    let mut a = ConnectOptions::new();
    let mut b = ConnectOptions::new();
    for ((alias, key), value) in ConnectOptions::ALIASES
        .iter()
        .zip(["u", "p", "db1", "h1", "h2", "UTC", "2.5", "wss"])
    {
        a.set(alias, value)
            .unwrap_or_else(|e| panic!("{alias}: {e}"));
        b.set(key, value).unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!(ConnectOptions::canonical_key(alias), *key);
        assert!(ConnectOptions::KEYS.contains(key), "{key}");
    }
    assert_eq!(a, b);
    assert_eq!(a.user(), "u");
    assert_eq!(a.database(), Some("db1"));
    assert_eq!(a.addresses_text(), "h2:6041");
    assert_eq!(a.timezone(), Some("UTC"));
    assert_eq!(a.connect_timeout(), Duration::from_millis(2500));
    assert!(a.tls());
}

#[test]
fn legacy_keys_are_recorded_not_refused() {
    let mut o = ConnectOptions::from_dsn("ws://h:1?charset=UTF-8&config=/etc/taos").unwrap();
    o.set("decode_binary", "true").unwrap();
    o.set("charset", "GBK").unwrap();
    assert_eq!(o.ignored_keys(), ["charset", "config", "decode_binary"]);
    let e = o.set("decode_binary", "false").unwrap_err();
    assert!(e.to_string().contains("decode_binary"), "{e}");
    for (key, why) in ConnectOptions::IGNORED_KEYS {
        assert!(!ConnectOptions::KEYS.contains(key), "{key}");
        assert!(!why.is_empty());
    }
}

#[test]
fn session_and_row_options_parse() {
    use taosarrow::NsTimestamps;
    let o = ConnectOptions::from_dsn(
        "ws://h:1?ns_timestamps=NumPy&bi_mode=true&bearer_token=t&user_app=a&websocket=true",
    )
    .unwrap();
    assert_eq!(o.ns_timestamps(), NsTimestamps::Numpy);
    assert!(!o.tls());
    assert_eq!(ConnectOptions::new().ns_timestamps(), NsTimestamps::Int);
    assert_eq!(
        NsTimestamps::ALL.map(NsTimestamps::name),
        ["int", "pandas", "numpy"]
    );
    let shown = format!("{o:?}");
    assert!(!shown.contains("bearer_token: Some(\"t\")"), "{shown}");
    let mut p = ConnectOptions::new();
    p.set("websocket", "false").unwrap();
    p.set("ws", "taoswss").unwrap();
    assert!(p.tls());
}
