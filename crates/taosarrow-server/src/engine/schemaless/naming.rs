//! Table names of schemaless writing (`schemaless.md` §2, §3.4): dots become underscores,
//! and a child table without a given name is `t_` + the MD5 of its super table and sorted
//! tags, in 32 lowercase hex digits.

use std::borrow::Cow;
use std::cmp::Ordering;

use md5::{Digest, Md5};

use super::value::SmlValue;

/// `name` with every `.` replaced by `_` (TDengine's `smlDot2Underline`, on by default).
pub fn dot_to_underscore(name: &str) -> Cow<'_, str> {
    if name.contains('.') {
        Cow::Owned(name.replace('.', "_"))
    } else {
        Cow::Borrowed(name)
    }
}

/// TDengine's order of tag keys for naming: bytes compared without ASCII case, a key that is
/// a prefix of the other first.
fn key_order(a: &str, b: &str) -> Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    for (p, q) in x.iter().zip(y) {
        match p.to_ascii_lowercase().cmp(&q.to_ascii_lowercase()) {
            Ordering::Equal => continue,
            other => return other,
        }
    }
    x.len().cmp(&y.len())
}

/// The generated name of the child table of `stable` with `tags`: `t_` + the lowercase hex
/// MD5 of `stable` followed, for each tag in key order, by `,key=value`. `scratch` is reused
/// between calls.
pub fn child_table_name(
    stable: &str,
    tags: &[(&str, &SmlValue<'_>)],
    scratch: &mut Vec<u8>,
) -> String {
    let mut order: Vec<usize> = (0..tags.len()).collect();
    order.sort_by(|&a, &b| key_order(tags[a].0, tags[b].0));
    scratch.clear();
    scratch.extend_from_slice(stable.as_bytes());
    for i in order {
        let (k, v) = tags[i];
        scratch.push(b',');
        scratch.extend_from_slice(k.as_bytes());
        scratch.push(b'=');
        v.name_bytes(scratch);
    }
    let digest = Md5::digest(&scratch[..]);
    let mut name = String::with_capacity(34);
    name.push_str("t_");
    taosarrow_protocol::hex::push_lower(&mut name, &digest);
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_rule() {
        let (a, b) = (SmlValue::NChar("cpu1".into()), SmlValue::NChar("4".into()));
        let mut scratch = Vec::new();
        let name = child_table_name("st", &[("t1", &b), ("T0", &a)], &mut scratch);
        // T0 sorts before t1 without case: md5("st,T0=cpu1,t1=4").
        assert_eq!(scratch, b"st,T0=cpu1,t1=4");
        assert_eq!(name.len(), 34);
        assert!(name.starts_with("t_"));
        // As computed by another MD5 implementation.
        assert_eq!(name, "t_b1cf2b23e3957d1802fa4798a85c4bb8");
        // A key that is a prefix of another sorts first.
        child_table_name("st", &[("ab", &a), ("a", &b)], &mut scratch);
        assert_eq!(scratch, b"st,a=4,ab=cpu1");
        assert_eq!(dot_to_underscore("meters.current"), "meters_current");
    }
}
