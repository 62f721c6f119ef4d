//! TDengine's LIKE matching for the patterns the engine applies itself (SHOW … LIKE): `%`
//! matches any run of characters, `_` exactly one, `\%` and `\_` the character itself; a
//! backslash before anything else is a backslash. ASCII letters match either case, as in
//! TDengine's `patternMatch`.
//!
//! The match is iterative and takes O(pattern × text) steps at worst, whatever the pattern:
//! no recursion, no backtracking blow-up on `%%%…`.

/// One element of a compiled pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Elem {
    /// `%`.
    Any,
    /// `_`.
    One,
    /// A character matched for itself.
    Lit(char),
}

/// The pattern's elements, escapes resolved.
fn compile(pattern: &str) -> Vec<Elem> {
    let mut out = Vec::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(match c {
            '%' => Elem::Any,
            '_' => Elem::One,
            '\\' => match chars.peek() {
                Some(&e @ ('%' | '_')) => {
                    chars.next();
                    Elem::Lit(e)
                }
                _ => Elem::Lit('\\'),
            },
            c => Elem::Lit(c),
        });
    }
    out
}

/// True when `text` matches the LIKE `pattern`.
pub fn like(pattern: &str, text: &str) -> bool {
    let p = compile(pattern);
    let s: Vec<char> = text.chars().collect();
    let (mut pi, mut si) = (0, 0);
    // The last `%` seen and the text position its match currently ends at: on a mismatch
    // the `%` takes one more character and matching resumes after it.
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some(Elem::Any) => {
                star = Some((pi, si));
                pi += 1;
            }
            Some(Elem::One) => {
                pi += 1;
                si += 1;
            }
            Some(Elem::Lit(c)) if c.eq_ignore_ascii_case(&s[si]) => {
                pi += 1;
                si += 1;
            }
            _ => match star {
                Some((sp, ss)) => {
                    star = Some((sp, ss + 1));
                    pi = sp + 1;
                    si = ss + 1;
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|e| *e == Elem::Any)
}

#[cfg(test)]
mod tests {
    use super::like;

    #[test]
    fn wildcards_escapes_and_case() {
        for (p, s, want) in [
            ("", "", true),
            ("", "a", false),
            ("%", "", true),
            ("%", "anything", true),
            ("_", "", false),
            ("_", "a", true),
            ("_", "中", true),
            ("__", "中", false),
            ("d%", "db1", true),
            ("d%", "xdb", false),
            ("%b1", "db1", true),
            ("%b1", "db12", false),
            ("d_1", "db1", true),
            ("d_1", "d1", false),
            ("%a%b%c%", "xxaxxbxxcxx", true),
            ("%a%b%c%", "xxaxxcxxbxx", false),
            ("a%a", "aaa", true),
            ("a%a", "a", false),
            ("DB%", "db1", true),
            ("d\\_1", "d_1", true),
            ("d\\_1", "dx1", false),
            ("100\\%", "100%", true),
            ("100\\%", "1000", false),
            ("a\\b", "a\\b", true),
            ("a\\", "a\\", true),
            ("温度%", "温度计", true),
            ("%度_", "温度计", true),
        ] {
            assert_eq!(like(p, s), want, "{p:?} LIKE {s:?}");
        }
    }

    /// `%%%…%x` against a long text that does not end in `x`: the old recursive matcher took
    /// exponential time here (and overflowed the stack on a long pattern).
    #[test]
    fn many_percents_take_polynomial_time() {
        let pattern = format!("{}x", "%".repeat(64));
        let text = "a".repeat(64);
        assert!(!like(&pattern, &text));
        let pattern = format!("{}x", "%_".repeat(2000));
        assert!(!like(&pattern, &"a".repeat(4000)));
        assert!(like(&pattern, &format!("{}x", "a".repeat(4000))));
    }

    #[test]
    fn a_pattern_of_a_million_percents_does_not_overflow_the_stack() {
        let pattern = "%".repeat(1_000_000);
        assert!(like(&pattern, "db"));
        let pattern = "_".repeat(1_000_000);
        assert!(!like(&pattern, "db"));
    }

    proptest::proptest! {
        /// Agrees with a straightforward dynamic-programming matcher.
        #[test]
        fn agrees_with_a_reference(p in "[ab%_\\\\]{0,10}", s in "[ab%_\\\\]{0,10}") {
            proptest::prop_assert_eq!(like(&p, &s), reference(&p, &s));
        }
    }

    fn reference(p: &str, s: &str) -> bool {
        let p = super::compile(p);
        let s: Vec<char> = s.chars().collect();
        // m[i][j]: p[i..] matches s[j..].
        let mut m = vec![vec![false; s.len() + 1]; p.len() + 1];
        m[p.len()][s.len()] = true;
        for i in (0..p.len()).rev() {
            for j in (0..=s.len()).rev() {
                m[i][j] = match p[i] {
                    super::Elem::Any => m[i + 1][j] || (j < s.len() && m[i][j + 1]),
                    super::Elem::One => j < s.len() && m[i + 1][j + 1],
                    super::Elem::Lit(c) => {
                        j < s.len() && c.eq_ignore_ascii_case(&s[j]) && m[i + 1][j + 1]
                    }
                };
            }
        }
        m[0][0]
    }
}
