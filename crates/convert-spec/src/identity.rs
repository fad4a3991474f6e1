//! Identity of JSON values as texts: the same JSON up to whitespace, key
//! order and number representations included. `serde_json`'s `==` is not
//! that: with `preserve_order` it ignores key order (which JavaScript's
//! `Object.keys` observes), and it equates `0.0` with `-0.0`. The runner
//! shares work between inputs only when they are identical in this sense
//! (a config read once, a value sent once by reference).

use serde_json::Value;

/// Whether `a` and `b` are the same JSON text up to whitespace: key order,
/// strings and number representations included. Iterative (an explicit
/// stack), so no depth of value can overflow the call stack.
pub fn identical(a: &Value, b: &Value) -> bool {
    let mut pending = vec![(a, b)];
    while let Some((a, b)) = pending.pop() {
        match (a, b) {
            (Value::Null, Value::Null) => {}
            (Value::Bool(x), Value::Bool(y)) if x == y => {}
            (Value::String(x), Value::String(y)) if x == y => {}
            (Value::Number(x), Value::Number(y))
                if x == y
                    && x.is_f64() == y.is_f64()
                    && x.as_f64().map(f64::to_bits) == y.as_f64().map(f64::to_bits) => {}
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                pending.extend(x.iter().zip(y));
            }
            (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
                for ((kx, vx), (ky, vy)) in x.iter().zip(y) {
                    if kx != ky {
                        return false;
                    }
                    pending.push((vx, vy));
                }
            }
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parsed(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn identical_is_exact_json_identity() {
        assert!(identical(
            &parsed(r#"{"a": [1, 2.5, "x", null, true], "b": {}}"#),
            &parsed(r#"{"a":[1,2.5,"x",null,true],"b":{}}"#)
        ));
        // Key order matters (serde_json's `==` would say equal).
        let (ab, ba) = (parsed(r#"{"a": 1, "b": 2}"#), parsed(r#"{"b": 2, "a": 1}"#));
        assert_eq!(ab, ba);
        assert!(!identical(&ab, &ba));
        // Number representations matter.
        assert!(!identical(&parsed("1"), &parsed("1.0")));
        assert!(!identical(&parsed("0.0"), &parsed("-0.0")));
        assert!(!identical(&parsed("[1]"), &parsed("[1, 1]")));
        assert!(!identical(&json!({"a": null}), &json!({"b": null})));
        assert!(!identical(&json!("1"), &json!(1)));
    }

    #[test]
    fn identical_survives_any_depth() {
        let deep = |n: usize| (0..n).fold(json!([]), |inner, _| Value::Array(vec![inner]));
        let (a, b) = (deep(100_000), deep(100_000));
        assert!(identical(&a, &b));
        let shallower = deep(99_999);
        assert!(!identical(&a, &shallower));
        // Dropped without recursion, one level at a time.
        for value in [a, b, shallower] {
            let mut stack = vec![value];
            while let Some(value) = stack.pop() {
                if let Value::Array(items) = value {
                    stack.extend(items);
                }
            }
        }
    }
}
