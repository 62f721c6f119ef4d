//! The DSN grammar (`overview.md` §8):
//! `[ws|wss]://[user[:pass]@][host1[:port1][,…hostN[:portN]]][/db][?k=v[&k=v…]]`.
//!
//! This module only splits and percent-decodes; what each parameter means is the client's
//! business. `Debug` never shows the password, and [`DsnError`] never quotes it.
//!
//! Where the user info ends: passwords are often written as they are, so the user info may
//! hold `/`, `?`, `#`, `:` and `@` unencoded. Host names and database names never contain
//! `@`, parameter values may; so the user info ends at the first `@` that has a `?` before
//! the next `@` (the later `@`s are in the parameters), or else at the last `@`. The host
//! list ends at the first `/` or `?` after it (RFC 3986's authority), the database at the
//! first `?`. The user name ends at the first `:`. Percent-encoding (`%40` for `@`, `%3F` for
//! `?`, `%3A` for `:` in a user name) always works, and is needed only where this reading is
//! ambiguous: a password holding `@` followed later by `?`, or a parameter value holding `@`
//! in a DSN without user info.

use std::fmt;

/// The default taosAdapter port, used for `localhost` without a port and for a DSN with no
/// address at all.
pub const DEFAULT_PORT: u16 = 6041;

/// TDengine's default user, for a DSN without user info.
pub const DEFAULT_USER: &str = "root";

/// TDengine's default password, for a DSN without one.
pub const DEFAULT_PASSWORD: &str = "taosdata";

/// One `host[:port]` of a DSN. IPv6 hosts keep their brackets (`[::1]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// Host name, IPv4 address or bracketed IPv6 address.
    pub host: String,
    /// Port, when the DSN gave one (or 6041 for `localhost`).
    pub port: Option<u16>,
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(p) => write!(f, "{}:{p}", self.host),
            None => f.write_str(&self.host),
        }
    }
}

/// A parsed DSN.
#[derive(Clone, PartialEq, Eq)]
pub struct Dsn {
    /// True for `wss`/`https` drivers (TLS).
    pub tls: bool,
    /// User, percent-decoded.
    pub user: Option<String>,
    /// Password, percent-decoded. Never printed.
    pub password: Option<String>,
    /// Addresses in DSN order; never empty (no address means `localhost:6041`).
    pub addresses: Vec<Address>,
    /// Default database.
    pub database: Option<String>,
    /// Parameters in order, keys and values percent-decoded; a bare key has value `""`.
    pub params: Vec<(String, String)>,
}

impl fmt::Debug for Dsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let params: Vec<(&str, &str)> = self
            .params
            .iter()
            .map(|(k, v)| {
                let v = if is_secret_param(k) {
                    "***"
                } else {
                    v.as_str()
                };
                (k.as_str(), v)
            })
            .collect();
        f.debug_struct("Dsn")
            .field("tls", &self.tls)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("addresses", &self.addresses)
            .field("database", &self.database)
            .field("params", &params)
            .finish()
    }
}

/// True for parameters whose values are secrets (`token`, `bearer_token`, `totp_code`).
pub fn is_secret_param(key: &str) -> bool {
    matches!(key, "token" | "bearer_token" | "totp_code" | "password")
}

/// A DSN that does not follow the grammar. Messages never contain the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DsnError {
    /// No `://` after the driver.
    #[error("invalid DSN: expected `<driver>://…`")]
    MissingScheme,
    /// A driver other than ws, wss, http, https, taos+ws, taos+wss, taosws, taosws+wss.
    #[error("invalid DSN: unsupported driver `{0}` (use ws or wss)")]
    InvalidDriver(String),
    /// An address that is not `host[:port]` or `[ipv6][:port]`.
    #[error("invalid DSN: bad address `{0}`")]
    InvalidAddress(String),
    /// A port that is not a number in 1..=65535.
    #[error("invalid DSN: bad port `{0}`")]
    InvalidPort(String),
    /// A malformed percent escape.
    #[error("invalid DSN: bad percent-encoding in the {0}")]
    InvalidEncoding(&'static str),
}

fn tls_of_driver(driver: &str) -> Result<bool, DsnError> {
    let lower = driver.to_ascii_lowercase();
    let proto = match lower.split_once('+') {
        Some(("taos" | "taosws" | "tmq", p)) => p.to_owned(),
        Some(_) => return Err(DsnError::InvalidDriver(driver.to_owned())),
        None => lower,
    };
    match proto.as_str() {
        "ws" | "http" | "taosws" | "tmq" => Ok(false),
        "wss" | "https" => Ok(true),
        _ => Err(DsnError::InvalidDriver(driver.to_owned())),
    }
}

/// Decodes `%XX` escapes (and keeps everything else as is).
pub fn percent_decode(s: &str, what: &'static str) -> Result<String, DsnError> {
    if !s.contains('%') {
        return Ok(s.to_owned());
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let v = match b.get(i + 1..i + 3) {
                Some(&[hi, lo]) => crate::hex::byte(hi, lo),
                _ => None,
            };
            out.push(v.ok_or(DsnError::InvalidEncoding(what))?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| DsnError::InvalidEncoding(what))
}

/// Percent-encodes everything but the URL's unreserved characters (`A-Z a-z 0-9 - _ . ~`).
///
/// ```
/// assert_eq!(taosarrow_protocol::dsn::percent_encode("a b/é"), "a%20b%2F%C3%A9");
/// ```
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            crate::hex::push_upper(&mut out, &[b]);
        }
    }
    out
}

fn parse_port(p: &str) -> Result<u16, DsnError> {
    match p.parse::<u16>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(DsnError::InvalidPort(p.to_owned())),
    }
}

fn parse_address(a: &str) -> Result<Address, DsnError> {
    let a = a.trim();
    let (host, port) = if let Some(rest) = a.strip_prefix('[') {
        let end = rest
            .find(']')
            .ok_or_else(|| DsnError::InvalidAddress(a.to_owned()))?;
        let host = format!("[{}]", &rest[..end]);
        let after = &rest[end + 1..];
        let port = match after {
            "" => None,
            p => Some(parse_port(
                p.strip_prefix(':')
                    .ok_or_else(|| DsnError::InvalidAddress(a.to_owned()))?,
            )?),
        };
        (host, port)
    } else {
        match a.split_once(':') {
            Some((h, p)) => (percent_decode(h, "host")?, Some(parse_port(p)?)),
            None => (percent_decode(a, "host")?, None),
        }
    };
    let host = if host.is_empty() {
        "localhost".to_owned()
    } else {
        host
    };
    if host.contains(['/', '?', '@', ' ']) {
        return Err(DsnError::InvalidAddress(a.to_owned()));
    }
    let port = match (port, host.as_str()) {
        (None, "localhost") => Some(DEFAULT_PORT),
        (p, _) => p,
    };
    Ok(Address { host, port })
}

/// The position of the `@` that ends the user info in `rest` (the DSN after `://`), if any:
/// the first `@` with a `?` between it and the next `@`, or else the last one (see the
/// module documentation).
fn userinfo_end(rest: &str) -> Option<usize> {
    let mut ats = rest.match_indices('@').map(|(i, _)| i).peekable();
    while let Some(i) = ats.next() {
        match ats.peek() {
            None => return Some(i),
            Some(&next) if rest[i + 1..next].contains('?') => return Some(i),
            Some(_) => {}
        }
    }
    None
}

impl Dsn {
    /// Parses a DSN. Errors never quote the user-info part.
    pub fn parse(s: &str) -> Result<Dsn, DsnError> {
        let s = s.trim();
        let (driver, rest) = s.split_once("://").ok_or(DsnError::MissingScheme)?;
        let tls = tls_of_driver(driver)?;
        let (userinfo, after) = match userinfo_end(rest) {
            Some(i) => (Some(&rest[..i]), &rest[i + 1..]),
            None => (None, rest),
        };
        let (hostpath, query) = match after.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (after, None),
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(ui) => match ui.split_once(':') {
                Some((u, p)) => (
                    Some(percent_decode(u, "user")?),
                    Some(percent_decode(p, "password")?),
                ),
                None => (Some(percent_decode(ui, "user")?), None),
            },
        };
        let (hosts, database) = match hostpath.split_once('/') {
            Some((h, d)) => {
                let d = percent_decode(d.trim(), "database")?;
                (h, if d.is_empty() { None } else { Some(d) })
            }
            None => (hostpath, None),
        };
        let mut addresses = Vec::new();
        if !hosts.trim().is_empty() {
            for a in hosts.split(',') {
                addresses.push(parse_address(a)?);
            }
        }
        if addresses.is_empty() {
            addresses.push(Address {
                host: "localhost".to_owned(),
                port: Some(DEFAULT_PORT),
            });
        }
        let mut params = Vec::new();
        for kv in query.unwrap_or("").split('&').filter(|kv| !kv.is_empty()) {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            params.push((
                percent_decode(k, "parameter name")?,
                percent_decode(v, "parameter value")?,
            ));
        }
        Ok(Dsn {
            tls,
            user,
            password,
            addresses,
            database,
            params,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_dsn() {
        let d = Dsn::parse("wss://u%40x:p%40ss@h1:1,[::1]:2,localhost/db?timezone=UTC&compression")
            .unwrap();
        assert!(d.tls);
        assert_eq!(d.user.as_deref(), Some("u@x"));
        assert_eq!(d.password.as_deref(), Some("p@ss"));
        assert_eq!(d.addresses[1].host, "[::1]");
        assert_eq!(d.addresses[1].port, Some(2));
        assert_eq!(d.addresses[2].port, Some(6041));
        assert_eq!(d.database.as_deref(), Some("db"));
        assert_eq!(d.params[1], ("compression".to_owned(), String::new()));
        assert!(!format!("{d:?}").contains("p@ss"));
    }

    #[test]
    fn bare_and_errors() {
        let d = Dsn::parse("ws://").unwrap();
        assert_eq!(d.addresses[0].to_string(), "localhost:6041");
        assert!(matches!(
            Dsn::parse("ftp://x"),
            Err(DsnError::InvalidDriver(_))
        ));
        assert!(matches!(
            Dsn::parse("ws://h:99999"),
            Err(DsnError::InvalidPort(_))
        ));
        assert!(matches!(
            Dsn::parse("ws://[::1"),
            Err(DsnError::InvalidAddress(_))
        ));
        assert!(matches!(Dsn::parse("h:1"), Err(DsnError::MissingScheme)));
        let e = Dsn::parse("ws://u:sec%ZZret@h").unwrap_err();
        assert!(!e.to_string().contains("sec"));
        // A sign is not a hex digit.
        assert!(matches!(
            Dsn::parse("ws://h/d%+1"),
            Err(DsnError::InvalidEncoding("database"))
        ));
        assert_eq!(
            percent_decode(&percent_encode("a%b c"), "x").unwrap(),
            "a%b c"
        );
    }

    /// The DSN `ws://<user>:<password>@h:7/db?tz=UTC` with `password` written as is.
    fn with_raw_password(password: &str) -> Dsn {
        Dsn::parse(&format!("ws://root:{password}@h:7/db?tz=UTC")).unwrap()
    }

    fn assert_target(d: &Dsn) {
        assert_eq!(
            d.addresses,
            vec![Address {
                host: "h".into(),
                port: Some(7)
            }]
        );
        assert_eq!(d.database.as_deref(), Some("db"));
        assert_eq!(d.params, vec![("tz".to_owned(), "UTC".to_owned())]);
    }

    #[test]
    fn raw_reserved_characters_in_the_password_stay_in_the_password() {
        for pw in [
            "a?b",
            "?",
            "a/b",
            "/",
            "a#b",
            "a:b:",
            "p@ss",
            "a?b@c",
            "é/中?",
            "a?b/c#d:e",
            "80?x",
        ] {
            let d = with_raw_password(pw);
            assert_eq!(d.user.as_deref(), Some("root"), "{pw}");
            assert_eq!(d.password.as_deref(), Some(pw), "{pw}");
            assert_target(&d);
        }
    }

    #[test]
    fn percent_encoded_userinfo_is_decoded() {
        for pw in [
            "a?b", "a/b", "a@b", "a#b", "a%b", "a:b", "é中", "%41", "?@/#%:",
        ] {
            let d = Dsn::parse(&format!(
                "ws://r%3Aoot:{}@h:7/db?tz=UTC",
                percent_encode(pw)
            ))
            .unwrap();
            assert_eq!(d.user.as_deref(), Some("r:oot"));
            assert_eq!(d.password.as_deref(), Some(pw), "{pw}");
            assert_target(&d);
        }
    }

    #[test]
    fn an_at_sign_in_a_parameter_value_is_not_user_info() {
        let d = Dsn::parse("ws://u:p@h:7/db?tz=UTC&tls_ca=/a@b/ca.pem").unwrap();
        assert_eq!(d.user.as_deref(), Some("u"));
        assert_eq!(d.password.as_deref(), Some("p"));
        assert_eq!(d.addresses[0].host, "h");
        assert_eq!(d.params[1], ("tls_ca".to_owned(), "/a@b/ca.pem".to_owned()));
        let d = Dsn::parse("ws://u:p@ss@h:7/db?tz=UTC&k=a@b").unwrap();
        assert_eq!(d.password.as_deref(), Some("p@ss"));
        assert_eq!(d.addresses[0].host, "h");
        assert_eq!(d.params[1], ("k".to_owned(), "a@b".to_owned()));
    }

    #[test]
    fn errors_never_quote_the_password() {
        let secret = "s3cr?t/x";
        for dsn in [
            format!("ws://root:{secret}@h:99999"),
            format!("ws://root:{secret}@[::1"),
            format!("ws://root:{secret}@h:1/d%ZZ"),
            format!("ws://root:{secret}%ZZ@h"),
            format!("ws://root:{secret}@h x"),
        ] {
            let e = Dsn::parse(&dsn).unwrap_err();
            for part in ["s3cr", "t/x", secret] {
                assert!(!e.to_string().contains(part), "{dsn}: {e}");
                assert!(!format!("{e:?}").contains(part), "{dsn}: {e:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_percent_encoded_userinfo_round_trips(user in "\\PC*", password in "\\PC*") {
            let dsn = format!(
                "ws://{}:{}@h:7/db?tz=UTC",
                percent_encode(&user),
                percent_encode(&password)
            );
            let d = Dsn::parse(&dsn).unwrap();
            proptest::prop_assert_eq!(d.user.as_deref(), Some(user.as_str()));
            proptest::prop_assert_eq!(d.password.as_deref(), Some(password.as_str()));
            assert_target(&d);
        }

        #[test]
        fn a_raw_password_without_at_or_percent_signs_round_trips(password in "[^@%\\s]*") {
            let d = Dsn::parse(&format!("ws://root:{password}@h:7/db?tz=UTC&k=a@b")).unwrap();
            proptest::prop_assert_eq!(d.password.as_deref(), Some(password.as_str()));
            proptest::prop_assert_eq!(&d.addresses[0].host, "h");
            proptest::prop_assert_eq!(&d.params[1].1, "a@b");
        }
    }
}
