//! Well-known text (`POINT(1 2)`, `LINESTRING(…)`, `POLYGON((…))`) → little-endian WKB.

fn coords(s: &str) -> Option<Vec<(f64, f64)>> {
    s.split(',')
        .map(|p| {
            let mut it = p.split_whitespace();
            let x = it.next()?.parse().ok()?;
            let y = it.next()?.parse().ok()?;
            it.next().is_none().then_some((x, y))
        })
        .collect()
}

fn push_points(out: &mut Vec<u8>, pts: &[(f64, f64)]) {
    out.extend_from_slice(&(pts.len() as u32).to_le_bytes());
    for (x, y) in pts {
        out.extend_from_slice(&x.to_le_bytes());
        out.extend_from_slice(&y.to_le_bytes());
    }
}

/// WKB for a POINT, LINESTRING or POLYGON in WKT; `None` when it is not one.
pub fn to_wkb(wkt: &str) -> Option<Vec<u8>> {
    let t = wkt.trim();
    let open = t.find('(')?;
    let kind = t[..open].trim().to_ascii_uppercase();
    let body = t[open..].trim();
    let inner = body.strip_prefix('(')?.strip_suffix(')')?.trim();
    let mut out = vec![1u8];
    match kind.as_str() {
        "POINT" => {
            let pts = coords(inner)?;
            let [(x, y)] = pts[..] else { return None };
            out.extend_from_slice(&1u32.to_le_bytes());
            out.extend_from_slice(&x.to_le_bytes());
            out.extend_from_slice(&y.to_le_bytes());
        }
        "LINESTRING" => {
            out.extend_from_slice(&2u32.to_le_bytes());
            push_points(&mut out, &coords(inner)?);
        }
        "POLYGON" => {
            out.extend_from_slice(&3u32.to_le_bytes());
            let rings: Vec<&str> = inner
                .split(')')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .collect();
            out.extend_from_slice(&(rings.len() as u32).to_le_bytes());
            for r in rings {
                let r = r.trim_start_matches(',').trim().strip_prefix('(')?;
                push_points(&mut out, &coords(r)?);
            }
        }
        _ => return None,
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn point() {
        let w = super::to_wkb("POINT(100 100)").unwrap();
        assert_eq!(
            taosarrow_protocol::hex::encode(&w),
            "010100000000000000000059400000000000005940"
        );
        assert!(super::to_wkb("POLYGON((0 0, 1 0, 1 1, 0 0))").is_some());
        assert!(super::to_wkb("CIRCLE(1)").is_none());
    }
}
