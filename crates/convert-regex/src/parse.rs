//! The pattern parser: ECMAScript `Pattern` in non-unicode mode with the
//! Annex B (web compatibility) grammar, over UTF-16 code units.
//!
//! Nesting is handled with an explicit stack of open groups, so a deeply
//! nested pattern cannot overflow the native stack; depth and size beyond the
//! documented limits are reported as [`CompileError::TooComplex`].

use crate::charset::CharSet;
use crate::{CompileError, Limits, SyntaxError, TooComplex};

/// A zero-width assertion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assertion {
    /// `^` (no `m` flag: start of input).
    Start,
    /// `$` (no `m` flag: end of input).
    End,
    /// `\b`.
    WordBoundary,
    /// `\B`.
    NotWordBoundary,
}

/// The parsed pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// Matches the empty string.
    Empty,
    /// One code unit.
    Unit(u16),
    /// A set of code units (a class, `.`, `\d`, …).
    Set {
        /// The members.
        set: CharSet,
        /// `[^…]`.
        negated: bool,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// Alternatives, tried in order.
    Alt(Vec<Node>),
    /// A group, capturing when `capture` is set (1-based index).
    Group {
        /// Capture index, if capturing.
        capture: Option<usize>,
        /// The contents.
        node: Box<Node>,
    },
    /// A quantified atom.
    Repeat {
        /// The atom.
        node: Box<Node>,
        /// Minimum count.
        min: u32,
        /// Maximum count (`None`: unbounded).
        max: Option<u32>,
        /// Greedy (no trailing `?`).
        greedy: bool,
        /// Capture indices inside the atom, `first..end` (1-based).
        captures: (usize, usize),
    },
    /// A zero-width assertion.
    Assert(Assertion),
    /// A backreference to a capture (1-based).
    BackRef(usize),
    /// A lookaround.
    Look {
        /// Lookbehind (`(?<=`, `(?<!`) rather than lookahead.
        behind: bool,
        /// Negative (`(?!`, `(?<!`).
        negate: bool,
        /// The contents.
        node: Box<Node>,
    },
}

/// The result of parsing.
#[derive(Debug)]
pub struct Parsed {
    /// The pattern tree.
    pub node: Node,
    /// Number of capturing groups.
    pub captures: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    /// Nothing to quantify (start of an alternative, or an assertion).
    None,
    /// An atom that takes a quantifier.
    Atom,
    /// Already quantified.
    Quantified,
    /// An assertion: a quantifier is an error.
    Assertion,
}

enum Kind {
    Root,
    Group(Option<usize>),
    Look { behind: bool, negate: bool },
}

struct Frame {
    kind: Kind,
    alternatives: Vec<Node>,
    seq: Vec<Node>,
    last: Last,
    /// Captures opened before this group's contents (1-based next index).
    first_capture: usize,
    /// For the last atom of `seq`: the captures it contains.
    last_captures: (usize, usize),
}

impl Frame {
    fn new(kind: Kind, first_capture: usize) -> Frame {
        Frame {
            kind,
            alternatives: Vec::new(),
            seq: Vec::new(),
            last: Last::None,
            first_capture,
            last_captures: (0, 0),
        }
    }

    fn push_atom(&mut self, node: Node, captures: (usize, usize)) {
        self.seq.push(node);
        self.last = Last::Atom;
        self.last_captures = captures;
    }

    fn push_assertion(&mut self, node: Node) {
        self.seq.push(node);
        self.last = Last::Assertion;
    }

    fn finish_alternative(&mut self) {
        let seq = std::mem::take(&mut self.seq);
        self.alternatives.push(sequence(seq));
        self.last = Last::None;
    }

    fn into_node(mut self) -> Node {
        self.finish_alternative();
        if self.alternatives.len() == 1 {
            self.alternatives.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(self.alternatives)
        }
    }
}

fn sequence(mut seq: Vec<Node>) -> Node {
    match seq.len() {
        0 => Node::Empty,
        1 => seq.pop().unwrap_or(Node::Empty),
        _ => Node::Seq(seq),
    }
}

fn syntax(message: impl Into<String>) -> CompileError {
    CompileError::Syntax(SyntaxError {
        message: message.into(),
    })
}

struct Prescan {
    captures: usize,
    has_named: bool,
}

/// Counts capturing groups and notes whether any is named, skipping escapes
/// and classes (Annex B decides `\N` and `\k` with these).
fn prescan(p: &[u16]) -> Prescan {
    let mut i = 0;
    let mut captures = 0;
    let mut has_named = false;
    let mut in_class = false;
    while i < p.len() {
        match p[i] {
            0x5C => i += 1, // `\`: skip the escaped unit
            0x5B if !in_class => in_class = true,
            0x5D if in_class => in_class = false,
            0x28 if !in_class => {
                if p.get(i + 1) != Some(&0x3F) {
                    captures += 1;
                } else if p.get(i + 2) == Some(&0x3C)
                    && !matches!(p.get(i + 3), Some(&0x3D) | Some(&0x21))
                {
                    captures += 1;
                    has_named = true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    Prescan {
        captures,
        has_named,
    }
}

/// Parses `pattern` (UTF-16 code units).
pub fn parse(pattern: &[u16], limits: &Limits) -> Result<Parsed, CompileError> {
    if pattern.len() > limits.max_pattern_units {
        return Err(CompileError::TooComplex(TooComplex {
            what: format!(
                "the pattern has {} UTF-16 code units, more than the limit of {}",
                pattern.len(),
                limits.max_pattern_units
            ),
        }));
    }
    let pre = prescan(pattern);
    let mut p = Parser {
        p: pattern,
        i: 0,
        total_captures: pre.captures,
        has_named: pre.has_named,
        next_capture: 1,
        names: Vec::new(),
        named_refs: Vec::new(),
    };
    let mut stack = vec![Frame::new(Kind::Root, 1)];
    while let Some(&unit) = p.p.get(p.i) {
        p.i += 1;
        let frame = stack
            .last_mut()
            .ok_or_else(|| syntax("internal: no frame"))?;
        match unit {
            0x7C => frame.finish_alternative(), // |
            0x28 => {
                // (
                if stack.len() > limits.max_nesting {
                    return Err(CompileError::TooComplex(TooComplex {
                        what: format!(
                            "groups nest deeper than the limit of {}",
                            limits.max_nesting
                        ),
                    }));
                }
                let kind = p.group_header()?;
                let first = p.next_capture;
                stack.push(Frame::new(kind, first));
            }
            0x29 => {
                // )
                if stack.len() == 1 {
                    return Err(syntax("Unmatched ')'"));
                }
                let done = stack.pop().ok_or_else(|| syntax("internal: no frame"))?;
                let first = done.first_capture;
                let end = p.next_capture;
                let (node, quantifiable) = match done.kind {
                    Kind::Group(capture) => {
                        let kind_capture = capture;
                        let inner = done.into_node();
                        (
                            Node::Group {
                                capture: kind_capture,
                                node: Box::new(inner),
                            },
                            true,
                        )
                    }
                    Kind::Look { behind, negate } => {
                        let inner = done.into_node();
                        (
                            Node::Look {
                                behind,
                                negate,
                                node: Box::new(inner),
                            },
                            !behind,
                        )
                    }
                    Kind::Root => return Err(syntax("internal: root closed")),
                };
                let parent = stack
                    .last_mut()
                    .ok_or_else(|| syntax("internal: no frame"))?;
                if quantifiable {
                    parent.push_atom(node, (first, end));
                } else {
                    parent.push_assertion(node);
                }
            }
            0x2A | 0x2B | 0x3F => {
                // * + ?
                let (min, max) = match unit {
                    0x2A => (0, None),
                    0x2B => (1, None),
                    _ => (0, Some(1)),
                };
                p.quantify(frame, min, max)?;
            }
            0x7B => {
                // {
                match p.braced_quantifier()? {
                    Some((min, max)) => p.quantify(frame, min, max)?,
                    None => frame.push_atom(Node::Unit(0x7B), (0, 0)),
                }
            }
            0x5E => frame.push_assertion(Node::Assert(Assertion::Start)),
            0x24 => frame.push_assertion(Node::Assert(Assertion::End)),
            0x2E => frame.push_atom(
                Node::Set {
                    set: CharSet::dot(),
                    negated: false,
                },
                (0, 0),
            ),
            0x5B => {
                let node = p.class()?;
                frame.push_atom(node, (0, 0));
            }
            0x5C => {
                let node = p.atom_escape()?;
                if matches!(node, Node::Assert(_)) {
                    frame.push_assertion(node);
                } else {
                    frame.push_atom(node, (0, 0));
                }
            }
            other => frame.push_atom(Node::Unit(other), (0, 0)),
        }
    }
    if stack.len() != 1 {
        return Err(syntax("Unterminated group"));
    }
    let root = stack.pop().ok_or_else(|| syntax("internal: no frame"))?;
    let mut node = root.into_node();
    if !p.named_refs.is_empty() {
        p.resolve_named(&mut node)?;
    }
    Ok(Parsed {
        node,
        captures: p.next_capture - 1,
    })
}

struct Parser<'a> {
    p: &'a [u16],
    i: usize,
    total_captures: usize,
    has_named: bool,
    next_capture: usize,
    names: Vec<(Vec<u16>, usize)>,
    named_refs: Vec<Vec<u16>>,
}

/// Marker index used for named backreferences until they are resolved.
const NAMED_REF_BASE: usize = usize::MAX / 2;

impl Parser<'_> {
    fn peek(&self) -> Option<u16> {
        self.p.get(self.i).copied()
    }

    fn quantify(
        &mut self,
        frame: &mut Frame,
        min: u32,
        max: Option<u32>,
    ) -> Result<(), CompileError> {
        let greedy = if self.peek() == Some(0x3F) {
            self.i += 1;
            false
        } else {
            true
        };
        match frame.last {
            Last::Atom => {}
            Last::None | Last::Assertion | Last::Quantified => {
                return Err(syntax("Nothing to repeat"));
            }
        }
        let node = frame.seq.pop().ok_or_else(|| syntax("Nothing to repeat"))?;
        frame.seq.push(Node::Repeat {
            node: Box::new(node),
            min,
            max,
            greedy,
            captures: frame.last_captures,
        });
        frame.last = Last::Quantified;
        Ok(())
    }

    /// After `{`: a valid `{n}`, `{n,}` or `{n,m}` (consumed), or `None`
    /// (nothing consumed: the `{` is a literal, Annex B).
    fn braced_quantifier(&mut self) -> Result<Option<(u32, Option<u32>)>, CompileError> {
        let start = self.i;
        let Some(min) = self.decimal() else {
            return Ok(None);
        };
        let max = if self.peek() == Some(0x2C) {
            self.i += 1;
            self.decimal()
        } else {
            Some(min)
        };
        let unbounded = self.p.get(self.i - 1) == Some(&0x2C);
        if self.peek() != Some(0x7D) {
            self.i = start;
            return Ok(None);
        }
        self.i += 1;
        let max = if unbounded { None } else { max };
        if max.is_some_and(|max| max < min) {
            return Err(syntax("numbers out of order in {} quantifier"));
        }
        Ok(Some((min, max)))
    }

    /// One or more decimal digits, saturating.
    fn decimal(&mut self) -> Option<u32> {
        let start = self.i;
        let mut value: u32 = 0;
        while let Some(d) = self.peek().filter(|u| (0x30..=0x39).contains(u)) {
            value = value.saturating_mul(10).saturating_add(u32::from(d - 0x30));
            self.i += 1;
        }
        (self.i > start).then_some(value)
    }

    /// After `(`: the kind of group, consuming its header.
    fn group_header(&mut self) -> Result<Kind, CompileError> {
        if self.peek() != Some(0x3F) {
            let index = self.next_capture;
            self.next_capture += 1;
            return Ok(Kind::Group(Some(index)));
        }
        self.i += 1;
        match self.peek() {
            Some(0x3A) => {
                self.i += 1;
                Ok(Kind::Group(None))
            }
            Some(0x3D) => {
                self.i += 1;
                Ok(Kind::Look {
                    behind: false,
                    negate: false,
                })
            }
            Some(0x21) => {
                self.i += 1;
                Ok(Kind::Look {
                    behind: false,
                    negate: true,
                })
            }
            Some(0x3C) => {
                self.i += 1;
                match self.peek() {
                    Some(0x3D) => {
                        self.i += 1;
                        Ok(Kind::Look {
                            behind: true,
                            negate: false,
                        })
                    }
                    Some(0x21) => {
                        self.i += 1;
                        Ok(Kind::Look {
                            behind: true,
                            negate: true,
                        })
                    }
                    _ => {
                        let name = self.group_name()?;
                        if self.names.iter().any(|(n, _)| *n == name) {
                            return Err(syntax("Duplicate capture group name"));
                        }
                        let index = self.next_capture;
                        self.next_capture += 1;
                        self.names.push((name, index));
                        Ok(Kind::Group(Some(index)))
                    }
                }
            }
            _ => Err(syntax("Invalid group")),
        }
    }

    /// A `RegExpIdentifierName` followed by `>` (the `<` is consumed).
    fn group_name(&mut self) -> Result<Vec<u16>, CompileError> {
        let mut name = Vec::new();
        loop {
            let Some(unit) = self.peek() else {
                return Err(syntax("Invalid capture group name"));
            };
            self.i += 1;
            let unit = if unit == 0x5C {
                // \uXXXX in a name
                if self.peek() != Some(0x75) {
                    return Err(syntax("Invalid capture group name"));
                }
                self.i += 1;
                self.hex(4)
                    .ok_or_else(|| syntax("Invalid Unicode escape in group name"))?
            } else {
                unit
            };
            if unit == 0x3E {
                break;
            }
            let ok = if name.is_empty() {
                is_id_start(unit)
            } else {
                is_id_continue(unit)
            };
            if !ok {
                return Err(syntax("Invalid capture group name"));
            }
            name.push(unit);
        }
        if name.is_empty() {
            return Err(syntax("Invalid capture group name"));
        }
        Ok(name)
    }

    /// Exactly `n` hex digits, consumed only if all are present.
    fn hex(&mut self, n: usize) -> Option<u16> {
        let digits = self.p.get(self.i..self.i + n)?;
        let mut value: u16 = 0;
        for &d in digits {
            let v = char::from_u32(u32::from(d))?.to_digit(16)?;
            value = value.checked_mul(16)?.checked_add(v as u16)?;
        }
        self.i += n;
        Some(value)
    }

    /// Legacy octal escape starting at the current digit (`0`–`7`).
    fn legacy_octal(&mut self) -> u16 {
        let first = self.p[self.i];
        let max_digits = if first <= 0x33 { 3 } else { 2 };
        let mut value: u16 = 0;
        let mut taken = 0;
        while taken < max_digits {
            match self.peek() {
                Some(d @ 0x30..=0x37) => {
                    value = value * 8 + (d - 0x30);
                    self.i += 1;
                    taken += 1;
                }
                _ => break,
            }
        }
        value
    }

    /// After `\` outside a class.
    fn atom_escape(&mut self) -> Result<Node, CompileError> {
        let Some(unit) = self.peek() else {
            return Err(syntax("\\ at end of pattern"));
        };
        self.i += 1;
        let unit_node = Node::Unit;
        Ok(match unit {
            0x62 => Node::Assert(Assertion::WordBoundary),    // b
            0x42 => Node::Assert(Assertion::NotWordBoundary), // B
            0x64 | 0x44 | 0x73 | 0x53 | 0x77 | 0x57 => class_escape_set(unit),
            0x31..=0x39 => {
                // \1..\9: a backreference if within the capture count.
                self.i -= 1;
                let start = self.i;
                let n = self.decimal().unwrap_or(0) as usize;
                if n >= 1 && n <= self.total_captures {
                    Node::BackRef(n)
                } else {
                    self.i = start;
                    if unit >= 0x38 {
                        self.i += 1;
                        unit_node(unit)
                    } else {
                        unit_node(self.legacy_octal())
                    }
                }
            }
            0x30 => {
                self.i -= 1;
                unit_node(self.legacy_octal())
            }
            0x6B if self.has_named => {
                // \k<name>
                if self.peek() != Some(0x3C) {
                    return Err(syntax("Invalid named reference"));
                }
                self.i += 1;
                let name = self
                    .group_name()
                    .map_err(|_| syntax("Invalid named capture referenced"))?;
                self.named_refs.push(name);
                Node::BackRef(NAMED_REF_BASE + self.named_refs.len() - 1)
            }
            0x63 => match self.peek() {
                Some(l) if l.is_ascii_alphabetic_u16() => {
                    self.i += 1;
                    unit_node(l % 32)
                }
                _ => {
                    // `\c` without a control letter: a literal backslash,
                    // and the `c` is read again as the next atom.
                    self.i -= 1;
                    unit_node(0x5C)
                }
            },
            0x78 => unit_node(self.hex(2).unwrap_or(0x78)),
            0x75 => unit_node(self.hex(4).unwrap_or(0x75)),
            0x66 => unit_node(0x0C),
            0x6E => unit_node(0x0A),
            0x72 => unit_node(0x0D),
            0x74 => unit_node(0x09),
            0x76 => unit_node(0x0B),
            other => unit_node(other),
        })
    }

    /// After `[`: a class.
    fn class(&mut self) -> Result<Node, CompileError> {
        let negated = if self.peek() == Some(0x5E) {
            self.i += 1;
            true
        } else {
            false
        };
        let mut set = CharSet::new();
        loop {
            let Some(unit) = self.peek() else {
                return Err(syntax("Unterminated character class"));
            };
            if unit == 0x5D {
                self.i += 1;
                break;
            }
            let a = self.class_atom()?;
            if self.peek() == Some(0x2D) && self.p.get(self.i + 1).is_some_and(|&u| u != 0x5D) {
                self.i += 1;
                let b = self.class_atom()?;
                match (&a, &b) {
                    (ClassAtom::Unit(lo), ClassAtom::Unit(hi)) => {
                        if lo > hi {
                            return Err(syntax("Range out of order in character class"));
                        }
                        set.add_range(*lo, *hi);
                    }
                    _ => {
                        // Annex B: a range with a class escape is the union
                        // of both sides and `-`.
                        a.add_to(&mut set);
                        set.add(0x2D);
                        b.add_to(&mut set);
                    }
                }
            } else {
                a.add_to(&mut set);
            }
        }
        Ok(Node::Set { set, negated })
    }

    fn class_atom(&mut self) -> Result<ClassAtom, CompileError> {
        let Some(unit) = self.peek() else {
            return Err(syntax("Unterminated character class"));
        };
        self.i += 1;
        if unit != 0x5C {
            return Ok(ClassAtom::Unit(unit));
        }
        let Some(e) = self.peek() else {
            return Err(syntax("\\ at end of pattern"));
        };
        self.i += 1;
        Ok(ClassAtom::Unit(match e {
            0x64 | 0x44 | 0x73 | 0x53 | 0x77 | 0x57 => {
                return Ok(ClassAtom::Set(match class_escape_set(e) {
                    Node::Set { set, negated } => {
                        if negated {
                            set.complement()
                        } else {
                            set
                        }
                    }
                    _ => CharSet::new(),
                }));
            }
            0x62 => 0x08,
            0x30..=0x37 => {
                self.i -= 1;
                self.legacy_octal()
            }
            0x63 => match self.peek() {
                Some(l)
                    if l.is_ascii_alphabetic_u16() || (0x30..=0x39).contains(&l) || l == 0x5F =>
                {
                    self.i += 1;
                    l % 32
                }
                _ => {
                    self.i -= 1;
                    0x5C
                }
            },
            0x78 => self.hex(2).unwrap_or(0x78),
            0x75 => self.hex(4).unwrap_or(0x75),
            0x66 => 0x0C,
            0x6E => 0x0A,
            0x72 => 0x0D,
            0x74 => 0x09,
            0x76 => 0x0B,
            other => other,
        }))
    }

    /// Replaces named-reference markers with capture indices.
    fn resolve_named(&self, root: &mut Node) -> Result<(), CompileError> {
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            match node {
                Node::BackRef(index) if *index >= NAMED_REF_BASE => {
                    let name = &self.named_refs[*index - NAMED_REF_BASE];
                    let Some((_, capture)) = self.names.iter().find(|(n, _)| n == name) else {
                        return Err(syntax("Invalid named capture referenced"));
                    };
                    *index = *capture;
                }
                Node::Seq(items) | Node::Alt(items) => stack.extend(items.iter_mut()),
                Node::Group { node, .. } | Node::Repeat { node, .. } | Node::Look { node, .. } => {
                    stack.push(node)
                }
                _ => {}
            }
        }
        Ok(())
    }
}

enum ClassAtom {
    Unit(u16),
    Set(CharSet),
}

impl ClassAtom {
    fn add_to(&self, set: &mut CharSet) {
        match self {
            ClassAtom::Unit(u) => set.add(*u),
            ClassAtom::Set(s) => set.add_set(s),
        }
    }
}

fn class_escape_set(unit: u16) -> Node {
    let (set, negated) = match unit {
        0x64 => (CharSet::digits(), false),
        0x44 => (CharSet::digits(), true),
        0x73 => (CharSet::space(), false),
        0x53 => (CharSet::space(), true),
        0x77 => (CharSet::word(), false),
        _ => (CharSet::word(), true),
    };
    Node::Set { set, negated }
}

trait AsciiAlpha {
    fn is_ascii_alphabetic_u16(&self) -> bool;
}

impl AsciiAlpha for u16 {
    fn is_ascii_alphabetic_u16(&self) -> bool {
        matches!(*self, 0x41..=0x5A | 0x61..=0x7A)
    }
}

fn is_id_start(unit: u16) -> bool {
    unit == 0x24
        || unit == 0x5F
        || char::from_u32(u32::from(unit)).is_some_and(|c| c.is_alphabetic())
}

fn is_id_continue(unit: u16) -> bool {
    is_id_start(unit)
        || unit == 0x200C
        || unit == 0x200D
        || char::from_u32(u32::from(unit)).is_some_and(|c| c.is_alphanumeric())
}
