//! Compilation of the pattern tree to instructions, and the backtracking
//! machine that runs them with a step budget.
//!
//! The machine follows the ECMAScript matcher semantics (§22.2.2): ordered
//! alternatives, greedy or lazy counted repetition with the empty-iteration
//! check and capture reset per iteration, atomic lookarounds, lookbehind
//! evaluated right to left. Backtracking uses an explicit stack, so neither a
//! long subject nor a long pattern can overflow the native stack.

use crate::charset::{CharSet, canonicalize, case_equivalents, is_word};
use crate::parse::{Assertion, Node};

/// Reading direction of a (sub)program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dir {
    Forward,
    Backward,
}

#[derive(Clone, Debug)]
enum Inst {
    /// One code unit (case-sensitive).
    Unit(u16),
    /// One code unit, compared by canonical form (`i`).
    UnitFold(u16),
    /// A member of `sets[index]`.
    Set(usize),
    /// Try `first`, on failure `second`.
    Split {
        first: usize,
        second: usize,
    },
    Jump(usize),
    /// Record the position in a capture slot.
    Save(usize),
    /// Reset capture slots `from..to` (start of a repetition's iteration).
    Clear {
        from: usize,
        to: usize,
    },
    Assert(Assertion),
    BackRef(usize),
    /// Run the subprogram at `entry` as a lookaround.
    Look {
        entry: usize,
        dir: Dir,
        negate: bool,
    },
    /// Start a repetition: count 0.
    LoopInit(usize),
    /// Decide whether to run another iteration.
    LoopTest {
        id: usize,
        min: u32,
        max: Option<u32>,
        greedy: bool,
        exit: usize,
    },
    /// Record where an iteration starts.
    LoopMark(usize),
    /// End of an iteration: the empty check, then count it.
    LoopEnd {
        id: usize,
        min: u32,
        test: usize,
    },
    Match,
}

struct CompiledSet {
    set: CharSet,
    negated: bool,
}

/// A compiled program.
pub struct Program {
    insts: Vec<Inst>,
    sets: Vec<CompiledSet>,
    captures: usize,
    loops: usize,
    ignore_case: bool,
    /// The main program may only match at position 0 (leading `^`).
    anchored: bool,
}

/// Why compilation stopped.
pub struct ProgramTooLarge;

/// Compiles a parsed pattern.
pub fn compile(
    node: &Node,
    captures: usize,
    ignore_case: bool,
    max_insts: usize,
) -> Result<Program, ProgramTooLarge> {
    let mut c = Compiler {
        insts: Vec::new(),
        sets: Vec::new(),
        loops: 0,
        ignore_case,
        pending: Vec::new(),
        max_insts,
    };
    // The main program, then each lookaround body (compiled on demand).
    c.node(node, Dir::Forward)?;
    c.emit(Inst::Match)?;
    while let Some((at, body, dir, negate)) = c.pending.pop() {
        let entry = c.insts.len();
        c.node(&body, dir)?;
        c.emit(Inst::Match)?;
        c.insts[at] = Inst::Look { entry, dir, negate };
    }
    let anchored = match node {
        Node::Assert(Assertion::Start) => true,
        Node::Seq(items) => matches!(items.first(), Some(Node::Assert(Assertion::Start))),
        _ => false,
    };
    Ok(Program {
        insts: c.insts,
        sets: c.sets,
        captures,
        loops: c.loops,
        ignore_case,
        anchored,
    })
}

struct Compiler {
    insts: Vec<Inst>,
    sets: Vec<CompiledSet>,
    loops: usize,
    ignore_case: bool,
    /// Lookaround bodies to compile after the current program: (index of the
    /// placeholder instruction, body, direction, negate).
    pending: Vec<(usize, Node, Dir, bool)>,
    max_insts: usize,
}

impl Compiler {
    fn emit(&mut self, inst: Inst) -> Result<usize, ProgramTooLarge> {
        if self.insts.len() >= self.max_insts {
            return Err(ProgramTooLarge);
        }
        self.insts.push(inst);
        Ok(self.insts.len() - 1)
    }

    fn node(&mut self, node: &Node, dir: Dir) -> Result<(), ProgramTooLarge> {
        match node {
            Node::Empty => {}
            Node::Unit(u) => {
                let inst = if self.ignore_case {
                    Inst::UnitFold(canonicalize(*u))
                } else {
                    Inst::Unit(*u)
                };
                self.emit(inst)?;
            }
            Node::Set { set, negated } => {
                self.sets.push(CompiledSet {
                    set: set.clone(),
                    negated: *negated,
                });
                let index = self.sets.len() - 1;
                self.emit(Inst::Set(index))?;
            }
            Node::Seq(items) => {
                if dir == Dir::Forward {
                    for item in items {
                        self.node(item, dir)?;
                    }
                } else {
                    for item in items.iter().rev() {
                        self.node(item, dir)?;
                    }
                }
            }
            Node::Alt(alternatives) => {
                let mut jumps = Vec::new();
                for (i, alt) in alternatives.iter().enumerate() {
                    if i + 1 < alternatives.len() {
                        let split = self.emit(Inst::Split {
                            first: 0,
                            second: 0,
                        })?;
                        self.node(alt, dir)?;
                        jumps.push(self.emit(Inst::Jump(0))?);
                        let next = self.insts.len();
                        self.insts[split] = Inst::Split {
                            first: split + 1,
                            second: next,
                        };
                    } else {
                        self.node(alt, dir)?;
                    }
                }
                let end = self.insts.len();
                for j in jumps {
                    self.insts[j] = Inst::Jump(end);
                }
            }
            Node::Group { capture, node } => match capture {
                Some(k) => {
                    let (open, close) = if dir == Dir::Forward {
                        (2 * k, 2 * k + 1)
                    } else {
                        (2 * k + 1, 2 * k)
                    };
                    self.emit(Inst::Save(open))?;
                    self.node(node, dir)?;
                    self.emit(Inst::Save(close))?;
                }
                None => self.node(node, dir)?,
            },
            Node::Repeat {
                node,
                min,
                max,
                greedy,
                captures,
            } => {
                let id = self.loops;
                self.loops += 1;
                self.emit(Inst::LoopInit(id))?;
                let test = self.emit(Inst::LoopTest {
                    id,
                    min: *min,
                    max: *max,
                    greedy: *greedy,
                    exit: 0,
                })?;
                self.emit(Inst::LoopMark(id))?;
                if captures.1 > captures.0 {
                    self.emit(Inst::Clear {
                        from: 2 * captures.0,
                        to: 2 * captures.1,
                    })?;
                }
                self.node(node, dir)?;
                self.emit(Inst::LoopEnd {
                    id,
                    min: *min,
                    test,
                })?;
                let exit = self.insts.len();
                self.insts[test] = Inst::LoopTest {
                    id,
                    min: *min,
                    max: *max,
                    greedy: *greedy,
                    exit,
                };
            }
            Node::Assert(a) => {
                self.emit(Inst::Assert(*a))?;
            }
            Node::BackRef(k) => {
                self.emit(Inst::BackRef(*k))?;
            }
            Node::Look {
                behind,
                negate,
                node,
            } => {
                let at = self.emit(Inst::Match)?; // placeholder
                let body_dir = if *behind { Dir::Backward } else { Dir::Forward };
                self.pending.push((at, (**node).clone(), body_dir, *negate));
            }
        }
        Ok(())
    }
}

/// The work budget ran out.
pub struct OutOfSteps;

enum Undo {
    Resume {
        pc: usize,
        pos: usize,
    },
    Slot {
        slot: usize,
        old: Option<usize>,
    },
    Loop {
        id: usize,
        count: u32,
        start: Option<usize>,
    },
}

/// The mutable state of one match attempt.
pub struct Machine<'p, 's> {
    program: &'p Program,
    text: &'s [u16],
    steps_left: u64,
    max_stack: usize,
    counts: Vec<u32>,
    starts: Vec<Option<usize>>,
}

impl<'p, 's> Machine<'p, 's> {
    /// A machine for `program` over `text` with a budget of `steps`
    /// (instructions executed plus backtracks) and at most `max_stack`
    /// pending backtrack entries.
    pub fn new(program: &'p Program, text: &'s [u16], steps: u64, max_stack: usize) -> Self {
        Machine {
            program,
            text,
            steps_left: steps,
            max_stack,
            counts: vec![0; program.loops],
            starts: vec![None; program.loops],
        }
    }

    /// Steps still available.
    pub fn steps_left(&self) -> u64 {
        self.steps_left
    }

    /// `RegExp.prototype.test`: a match starting at any position.
    pub fn test(&mut self) -> Result<bool, OutOfSteps> {
        let last_start = if self.program.anchored {
            0
        } else {
            self.text.len()
        };
        for start in 0..=last_start {
            let mut slots = vec![None; 2 * (self.program.captures + 1)];
            if self.run(0, Dir::Forward, start, &mut slots)?.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn tick(&mut self) -> Result<(), OutOfSteps> {
        if self.steps_left == 0 {
            return Err(OutOfSteps);
        }
        self.steps_left -= 1;
        Ok(())
    }

    fn read(&self, pos: usize, dir: Dir) -> Option<(u16, usize)> {
        match dir {
            Dir::Forward => self.text.get(pos).map(|&u| (u, pos + 1)),
            Dir::Backward => pos
                .checked_sub(1)
                .and_then(|p| self.text.get(p).map(|&u| (u, p))),
        }
    }

    fn set_matches(&self, index: usize, unit: u16) -> bool {
        let s = &self.program.sets[index];
        let hit = if self.program.ignore_case {
            case_equivalents(unit).iter().any(|&u| s.set.contains(u))
        } else {
            s.set.contains(unit)
        };
        hit != s.negated
    }

    fn assertion(&self, a: Assertion, pos: usize) -> bool {
        match a {
            Assertion::Start => pos == 0,
            Assertion::End => pos == self.text.len(),
            Assertion::WordBoundary | Assertion::NotWordBoundary => {
                let before = pos > 0 && is_word(self.text[pos - 1]);
                let after = pos < self.text.len() && is_word(self.text[pos]);
                (before != after) == (a == Assertion::WordBoundary)
            }
        }
    }

    fn backref(&self, k: usize, pos: usize, dir: Dir, slots: &[Option<usize>]) -> Option<usize> {
        let (Some(s), Some(e)) = (slots[2 * k], slots[2 * k + 1]) else {
            return Some(pos); // an unset group matches empty
        };
        let len = e.saturating_sub(s);
        let (from, next) = match dir {
            Dir::Forward => (pos, pos + len),
            Dir::Backward => (pos.checked_sub(len)?, pos.checked_sub(len)?),
        };
        let candidate = self.text.get(from..from + len)?;
        let captured = &self.text[s..s + len];
        let equal = if self.program.ignore_case {
            candidate
                .iter()
                .zip(captured)
                .all(|(&a, &b)| canonicalize(a) == canonicalize(b))
        } else {
            candidate == captured
        };
        equal.then_some(next)
    }

    /// Runs the (sub)program at `entry` from `pos`; `Some(end)` on a match,
    /// with `slots` holding its captures.
    fn run(
        &mut self,
        entry: usize,
        dir: Dir,
        start: usize,
        slots: &mut [Option<usize>],
    ) -> Result<Option<usize>, OutOfSteps> {
        let mut stack: Vec<Undo> = Vec::new();
        let mut pc = entry;
        let mut pos = start;
        loop {
            self.tick()?;
            let mut ok = true;
            match &self.program.insts[pc] {
                Inst::Unit(u) => match self.read(pos, dir) {
                    Some((c, next)) if c == *u => {
                        pos = next;
                        pc += 1;
                    }
                    _ => ok = false,
                },
                Inst::UnitFold(u) => match self.read(pos, dir) {
                    Some((c, next)) if canonicalize(c) == *u => {
                        pos = next;
                        pc += 1;
                    }
                    _ => ok = false,
                },
                Inst::Set(index) => match self.read(pos, dir) {
                    Some((c, next)) if self.set_matches(*index, c) => {
                        pos = next;
                        pc += 1;
                    }
                    _ => ok = false,
                },
                Inst::Split { first, second } => {
                    stack.push(Undo::Resume { pc: *second, pos });
                    pc = *first;
                }
                Inst::Jump(target) => pc = *target,
                Inst::Save(slot) => {
                    stack.push(Undo::Slot {
                        slot: *slot,
                        old: slots[*slot],
                    });
                    slots[*slot] = Some(pos);
                    pc += 1;
                }
                Inst::Clear { from, to } => {
                    for (slot, value) in slots.iter_mut().enumerate().take(*to).skip(*from) {
                        if let Some(old) = value.take() {
                            stack.push(Undo::Slot {
                                slot,
                                old: Some(old),
                            });
                        }
                    }
                    pc += 1;
                }
                Inst::Assert(a) => {
                    if self.assertion(*a, pos) {
                        pc += 1;
                    } else {
                        ok = false;
                    }
                }
                Inst::BackRef(k) => match self.backref(*k, pos, dir, slots) {
                    Some(next) => {
                        pos = next;
                        pc += 1;
                    }
                    None => ok = false,
                },
                Inst::Look {
                    entry,
                    dir: look_dir,
                    negate,
                } => {
                    let (entry, look_dir, negate) = (*entry, *look_dir, *negate);
                    let mut inner = slots.to_vec();
                    let found = self.run(entry, look_dir, pos, &mut inner)?.is_some();
                    if found != negate {
                        if found {
                            for (slot, value) in inner.iter().enumerate() {
                                if slots[slot] != *value {
                                    stack.push(Undo::Slot {
                                        slot,
                                        old: slots[slot],
                                    });
                                    slots[slot] = *value;
                                }
                            }
                        }
                        pc += 1;
                    } else {
                        ok = false;
                    }
                }
                Inst::LoopInit(id) => {
                    let id = *id;
                    stack.push(Undo::Loop {
                        id,
                        count: self.counts[id],
                        start: self.starts[id],
                    });
                    self.counts[id] = 0;
                    self.starts[id] = None;
                    pc += 1;
                }
                Inst::LoopTest {
                    id,
                    min,
                    max,
                    greedy,
                    exit,
                } => {
                    let count = self.counts[*id];
                    if max.is_some_and(|m| count >= m) {
                        pc = *exit;
                    } else if count < *min {
                        pc += 1;
                    } else if *greedy {
                        stack.push(Undo::Resume { pc: *exit, pos });
                        pc += 1;
                    } else {
                        stack.push(Undo::Resume { pc: pc + 1, pos });
                        pc = *exit;
                    }
                }
                Inst::LoopMark(id) => {
                    let id = *id;
                    stack.push(Undo::Loop {
                        id,
                        count: self.counts[id],
                        start: self.starts[id],
                    });
                    self.starts[id] = Some(pos);
                    pc += 1;
                }
                Inst::LoopEnd { id, min, test } => {
                    let id = *id;
                    let count = self.counts[id];
                    if count >= *min && self.starts[id] == Some(pos) {
                        ok = false; // an optional iteration matched nothing
                    } else {
                        stack.push(Undo::Loop {
                            id,
                            count,
                            start: self.starts[id],
                        });
                        self.counts[id] = count.saturating_add(1);
                        pc = *test;
                    }
                }
                Inst::Match => return Ok(Some(pos)),
            }
            if stack.len() > self.max_stack {
                return Err(OutOfSteps);
            }
            if !ok {
                loop {
                    self.tick()?;
                    match stack.pop() {
                        None => return Ok(None),
                        Some(Undo::Resume { pc: p, pos: q }) => {
                            pc = p;
                            pos = q;
                            break;
                        }
                        Some(Undo::Slot { slot, old }) => slots[slot] = old,
                        Some(Undo::Loop { id, count, start }) => {
                            self.counts[id] = count;
                            self.starts[id] = start;
                        }
                    }
                }
            }
        }
    }
}
