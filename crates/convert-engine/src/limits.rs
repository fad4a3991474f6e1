//! Bounds on pathological input (`docs/robustness.md`).
//!
//! serde_json's own operations on a [`Value`] — `clone`, `==`, `Drop`,
//! serialization — recurse once per level of nesting, so a value nested
//! thousands of levels deep (which serde_json's parser refuses, but which
//! code can build in memory) overflows a thread's stack in any of them. The
//! engine therefore never takes a value deeper than [`MAX_DEPTH`] into its
//! own work:
//!
//! - a config deeper than the limit is refused:
//!   [`ConfigError::TooDeep`](crate::config::ConfigError::TooDeep);
//! - a rule set or rule data deeper than the limit does not match, with a
//!   [`Diagnostic::TooDeep`](crate::diagnostics::Diagnostic::TooDeep);
//! - a visitor attribute or stored value deeper than the limit is ignored,
//!   as if it were absent (attributes are copied into the visitor's state).
//!
//! Every check here is iterative, so it is safe on a value of any depth.

use serde_json::{Map, Value};

/// The deepest nesting of arrays and objects the engine accepts: `1` is
/// `[1]` or `{"a": 1}`, `2` is `[[1]]`. serde_json's parser refuses text
/// nested 128 levels deep, so every value parsed from text is within it.
pub const MAX_DEPTH: usize = 128;

/// Whether `value` nests arrays and objects more than `limit` levels deep.
/// Iterative, and stops at the first path that goes too deep. A scalar, or
/// an array or object of scalars (what attributes and location properties
/// usually are), is answered without allocating.
///
/// Inlined down to the scalar test, which is most calls (one per attribute
/// of a visitor, one per location property); containers take the walk out
/// of line.
#[inline]
pub fn exceeds_depth(value: &Value, limit: usize) -> bool {
    !is_scalar(value) && container_exceeds_depth(value, limit)
}

/// [`exceeds_depth`] of an array or object.
fn container_exceeds_depth(value: &Value, limit: usize) -> bool {
    let flat = match value {
        Value::Array(items) => items.iter().all(is_scalar),
        Value::Object(map) => map.values().all(is_scalar),
        _ => return false,
    };
    if limit == 0 {
        return true;
    }
    !flat && nested_exceeds_depth(value, limit)
}

#[inline]
fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Array(_) | Value::Object(_))
}

/// [`exceeds_depth`] for a value with containers inside, walked with an
/// explicit stack.
fn nested_exceeds_depth(value: &Value, limit: usize) -> bool {
    let mut stack: Vec<(&Value, usize)> = Vec::with_capacity(16);
    stack.push((value, 0));
    while let Some((value, depth)) = stack.pop() {
        match value {
            Value::Array(_) | Value::Object(_) if depth + 1 > limit => return true,
            Value::Array(items) => stack.extend(
                items
                    .iter()
                    .filter(|child| !is_scalar(child))
                    .map(|child| (child, depth + 1)),
            ),
            Value::Object(map) => stack.extend(
                map.values()
                    .filter(|child| !is_scalar(child))
                    .map(|child| (child, depth + 1)),
            ),
            _ => {}
        }
    }
    false
}

/// Whether any value of `map` nests more than `limit - 1` levels deep (the
/// map itself is one level).
pub fn map_exceeds_depth(map: &Map<String, Value>, limit: usize) -> bool {
    limit == 0 || map.values().any(|v| exceeds_depth(v, limit - 1))
}

/// A copy of `map` without the entries nested deeper than [`MAX_DEPTH`]
/// (counting the map as one level): how visitor attributes enter the
/// engine.
pub fn within_depth(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .filter(|(_, v)| !exceeds_depth(v, MAX_DEPTH - 1))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Drops `value` without recursion, however deep it is (the derived `Drop`
/// of a [`Value`] recurses once per level).
pub fn dismantle(value: Value) {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.into_iter().map(|(_, v)| v)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nested(levels: usize) -> Value {
        let mut v = json!(1);
        for i in 0..levels {
            v = if i % 2 == 0 {
                Value::Array(vec![v])
            } else {
                let mut m = Map::new();
                m.insert("k".into(), v);
                Value::Object(m)
            };
        }
        v
    }

    #[test]
    fn depth_counts_levels_of_nesting() {
        assert!(!exceeds_depth(&json!(1), 0));
        assert!(exceeds_depth(&json!([]), 0));
        assert!(!exceeds_depth(&json!([]), 1));
        assert!(!exceeds_depth(&json!([[1], {"a": 2}]), 2));
        assert!(exceeds_depth(&json!([[1], {"a": [2]}]), 2));
        assert!(!exceeds_depth(&nested(MAX_DEPTH), MAX_DEPTH));
        assert!(exceeds_depth(&nested(MAX_DEPTH + 1), MAX_DEPTH));
    }

    #[test]
    fn the_limit_is_what_serde_json_parses() {
        let text = |levels: usize| format!("{}1{}", "[".repeat(levels), "]".repeat(levels));
        let deepest_parsed = (1..200)
            .take_while(|&n| serde_json::from_str::<Value>(&text(n)).is_ok())
            .last()
            .unwrap();
        assert!(
            deepest_parsed <= MAX_DEPTH,
            "serde_json parses {deepest_parsed} levels"
        );
    }

    #[test]
    fn a_million_levels_are_checked_and_dropped_without_recursion() {
        // Built, checked and dismantled on a small stack: any recursion per
        // level would overflow it.
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let deep = nested(1_000_000);
                let exceeded = exceeds_depth(&deep, MAX_DEPTH);
                let mut map = Map::new();
                map.insert("deep".into(), deep);
                map.insert("flat".into(), json!("x"));
                let kept = within_depth(&map);
                dismantle(Value::Object(map));
                (exceeded, kept)
            })
            .unwrap();
        let (exceeded, kept) = handle.join().unwrap();
        assert!(exceeded);
        assert_eq!(Value::Object(kept), json!({"flat": "x"}));
    }
}
