//! Sets of UTF-16 code units, the predefined classes, and ECMAScript
//! `Canonicalize` for case-insensitive matching in non-unicode mode.

use std::sync::OnceLock;

/// A set of UTF-16 code units as sorted, non-overlapping inclusive ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CharSet {
    ranges: Vec<(u16, u16)>,
}

impl CharSet {
    /// The empty set.
    pub fn new() -> CharSet {
        CharSet::default()
    }

    /// Adds one code unit.
    pub fn add(&mut self, unit: u16) {
        self.add_range(unit, unit);
    }

    /// Adds `lo..=hi`.
    pub fn add_range(&mut self, lo: u16, hi: u16) {
        self.ranges.push((lo, hi));
        self.normalize();
    }

    /// Adds every unit of `other`.
    pub fn add_set(&mut self, other: &CharSet) {
        self.ranges.extend_from_slice(&other.ranges);
        self.normalize();
    }

    /// Whether `unit` is in the set.
    pub fn contains(&self, unit: u16) -> bool {
        self.ranges
            .binary_search_by(|&(lo, hi)| {
                if hi < unit {
                    std::cmp::Ordering::Less
                } else if lo > unit {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    }

    /// The complement within `0..=0xFFFF`.
    pub fn complement(&self) -> CharSet {
        let mut out = Vec::new();
        let mut next: u32 = 0;
        for &(lo, hi) in &self.ranges {
            if u32::from(lo) > next {
                out.push((next as u16, lo - 1));
            }
            next = u32::from(hi) + 1;
        }
        if next <= 0xFFFF {
            out.push((next as u16, 0xFFFF));
        }
        CharSet { ranges: out }
    }

    fn normalize(&mut self) {
        self.ranges.sort_unstable();
        let mut merged: Vec<(u16, u16)> = Vec::with_capacity(self.ranges.len());
        for &(lo, hi) in &self.ranges {
            match merged.last_mut() {
                Some(last) if u32::from(lo) <= u32::from(last.1) + 1 => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        self.ranges = merged;
    }

    /// `\d`: ASCII digits.
    pub fn digits() -> CharSet {
        CharSet {
            ranges: vec![(0x30, 0x39)],
        }
    }

    /// `\w`: ASCII letters, digits and `_` (non-unicode mode).
    pub fn word() -> CharSet {
        CharSet {
            ranges: vec![(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
        }
    }

    /// `\s`: ECMAScript `WhiteSpace` and `LineTerminator`.
    pub fn space() -> CharSet {
        let mut set = CharSet::new();
        for &(lo, hi) in &[
            (0x09, 0x0D),
            (0x20, 0x20),
            (0xA0, 0xA0),
            (0x1680, 0x1680),
            (0x2000, 0x200A),
            (0x2028, 0x2029),
            (0x202F, 0x202F),
            (0x205F, 0x205F),
            (0x3000, 0x3000),
            (0xFEFF, 0xFEFF),
        ] {
            set.ranges.push((lo, hi));
        }
        set.normalize();
        set
    }

    /// `.` without the `s` flag: everything but line terminators.
    pub fn dot() -> CharSet {
        let mut terminators = CharSet::new();
        for unit in [0x0A, 0x0D, 0x2028, 0x2029] {
            terminators.ranges.push((unit, unit));
        }
        terminators.normalize();
        terminators.complement()
    }
}

/// Whether `unit` is a `\w` character (for `\b`).
pub fn is_word(unit: u16) -> bool {
    matches!(unit, 0x30..=0x39 | 0x41..=0x5A | 0x5F | 0x61..=0x7A)
}

struct FoldTables {
    canon: Vec<u16>,
    /// For each canonical unit, every unit that canonicalizes to it, as a
    /// range into `members` (`start`, `len`).
    classes: Vec<(u32, u16)>,
    members: Vec<u16>,
}

fn tables() -> &'static FoldTables {
    static TABLES: OnceLock<FoldTables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let canon: Vec<u16> = (0..=0xFFFFu32)
            .map(|u| canonicalize_uncached(u as u16))
            .collect();
        // A counting sort of the units by canonical unit: the class sizes,
        // their starts, then each unit placed in its class in unit order
        // (no list per class: 65,536 of them cost more than the table).
        let mut sizes = vec![0u16; 0x10000];
        for &c in &canon {
            sizes[usize::from(c)] += 1;
        }
        let mut classes = Vec::with_capacity(0x10000);
        let mut start = 0u32;
        for &size in &sizes {
            classes.push((start, size));
            start += u32::from(size);
        }
        let mut members = vec![0u16; canon.len()];
        let mut next: Vec<u32> = classes.iter().map(|&(start, _)| start).collect();
        for (unit, &c) in canon.iter().enumerate() {
            let slot = &mut next[usize::from(c)];
            members[*slot as usize] = unit as u16;
            *slot += 1;
        }
        FoldTables {
            canon,
            classes,
            members,
        }
    })
}

/// ECMAScript `Canonicalize(ch)` with `i` and without `u`: the single code
/// unit `toUpperCase` maps `ch` to, unless the mapping has more than one code
/// unit or maps a non-ASCII unit to ASCII.
fn canonicalize_uncached(unit: u16) -> u16 {
    let Some(ch) = char::from_u32(u32::from(unit)) else {
        return unit; // a lone surrogate
    };
    let mut upper = ch.to_uppercase();
    let (Some(first), None) = (upper.next(), upper.next()) else {
        return unit;
    };
    let Ok(cu) = u16::try_from(u32::from(first)) else {
        return unit;
    };
    if unit >= 128 && cu < 128 {
        return unit;
    }
    cu
}

/// `Canonicalize(unit)` (cached table).
pub fn canonicalize(unit: u16) -> u16 {
    tables().canon[usize::from(unit)]
}

/// Every unit whose canonical form equals that of `unit` (including `unit`).
pub fn case_equivalents(unit: u16) -> &'static [u16] {
    let t = tables();
    let (start, len) = t.classes[usize::from(t.canon[usize::from(unit)])];
    &t.members[start as usize..start as usize + usize::from(len)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_merge_and_complement() {
        let mut s = CharSet::new();
        s.add_range(10, 20);
        s.add_range(21, 30);
        s.add(5);
        assert!(s.contains(5) && s.contains(25) && !s.contains(6) && !s.contains(31));
        let c = s.complement();
        assert!(c.contains(0) && c.contains(6) && !c.contains(15) && c.contains(0xFFFF));
        assert_eq!(c.complement(), s);
    }

    #[test]
    fn every_unit_is_in_exactly_its_class() {
        let mut total = 0;
        for unit in 0..=0xFFFFu16 {
            let class = case_equivalents(unit);
            assert!(class.contains(&unit), "{unit:#x} is in its class");
            assert!(
                class.windows(2).all(|w| w[0] < w[1]),
                "{unit:#x}: unit order"
            );
            assert!(class.iter().all(|&m| canonicalize(m) == canonicalize(unit)));
            // Each class counted once, at its smallest member.
            if class[0] == unit {
                total += class.len();
            }
        }
        assert_eq!(total, 0x10000, "the classes partition the units");
    }

    #[test]
    fn canonicalize_follows_non_unicode_rules() {
        assert_eq!(canonicalize(u16::from(b'a')), u16::from(b'A'));
        assert_eq!(canonicalize(0x17F), 0x17F, "ſ does not fold to ASCII S");
        assert_eq!(canonicalize(0xDF), 0xDF, "ß uppercases to two units");
        assert_eq!(canonicalize(0x3C3), 0x3A3, "σ → Σ");
        assert_eq!(canonicalize(0x3C2), 0x3A3, "ς → Σ");
        assert_eq!(canonicalize(0xD83D), 0xD83D, "lone surrogate");
        let eq = case_equivalents(0x3A3);
        assert!(eq.contains(&0x3C3) && eq.contains(&0x3C2) && eq.contains(&0x3A3));
    }
}
