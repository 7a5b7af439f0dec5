//! Checks run without the interpreter. Rhai walks its syntax tree and dispatches every
//! operator, getter and call by hash; for a check of a dozen statements that is about 23 K
//! instructions, most of a fresh provider's score. Here each function of a rule file is
//! lowered once, when the file is compiled, to a small tree that calls the rule API's own Rust
//! functions directly, in the order the interpreter would.
//!
//! Exactness comes first, speed second:
//! - a lowered check calls the same functions with the same arguments in the same order, so
//!   it reads and records the same fields (the memo's trace is the same) and ends with the
//!   same outcome;
//! - only what is known to mean the same is lowered: literals, variables, `let`, assignment,
//!   `if`, `return`, `!`, `&&`, `||`, comparisons and arithmetic on numbers, interpolated
//!   strings, arrays, a fact's fields, the rule API, the file's own functions, and `len`,
//!   `to_float`, `to_lower`, `contains` on the types whose meaning is fixed. Anything else in
//!   a function (a loop, a closure, `print`, a call to another function) is lowered to a
//!   *bail*;
//! - a run that reaches a bail, or would end in an error (a type the operator does not take,
//!   an overflow, a key outside the vocabulary, partial credit out of range), or comes near a
//!   limit, stops and runs again through the interpreter from a fresh start, so its message
//!   and position are the interpreter's. A run is a pure function of what it reads, so
//!   starting again changes nothing but the time;
//! - a file that defines a function named like the rule API or one of those methods, or any
//!   getter, keeps all its functions in the interpreter, where its own definitions decide.
//!
//! The limits: a lowered run counts at least the operations, call levels, variables and
//! sizes the interpreter would, and stops (to run again in the interpreter) before any of
//! them could be reached. Within the limits it has no loops, so it always ends quickly; the
//! deadline is for work that is slow per operation, which none of this is.

use std::sync::atomic::AtomicUsize;

use rhai::{ASTFlags, Array, Dynamic, Expr, FnCallExpr, ImmutableString, Stmt, AST, FLOAT, INT};

use super::api::{self, RhaiOutcome};
use super::memo::Field;
use super::{FactView, Limits};

/// Every name a lowered function gives a fixed meaning to. A file that defines a function
/// of one of these names is not lowered at all.
const RESERVED: [&str; 20] = [
    "fact",
    "param",
    "param_or",
    "pass",
    "fail",
    "unknown",
    "not_applicable",
    "partial",
    "ramp",
    "nines",
    "shown",
    "listed",
    "plural",
    "yes_no",
    "len",
    "to_float",
    "to_lower",
    "contains",
    "some",
    "filter",
];

/// The lowered functions of one rule file, by the index [`Program::function`] gives.
#[derive(Debug, Default)]
pub(super) struct Program {
    fns: Vec<Function>,
    names: Vec<(String, usize)>,
}

#[derive(Debug)]
struct Function {
    params: usize,
    body: Block,
}

#[derive(Debug)]
struct Block(Vec<S>);

#[derive(Debug)]
enum S {
    /// `let`: the value becomes the next local.
    Let(E),
    Set(usize, E),
    If(E, Block, Block),
    Return(E),
    Expr(E),
    Block(Block),
    Bail,
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, Copy)]
enum Api {
    Param,
    ParamOr,
    Pass,
    Fail,
    Unknown,
    NotApplicable,
    Partial,
    Ramp,
    Nines,
    Shown,
    Listed,
    Plural,
    YesNo,
}

#[derive(Debug, Clone, Copy)]
enum Method {
    Len,
    ToFloat,
    ToLower,
    Contains,
    /// `list.some(closure)`: whether the closure is true of an item.
    Some,
    /// `list.filter(closure)`: the items the closure is true of.
    Filter,
}

/// A closure's value: the lowered function Rhai made of it, and the values it captured (its
/// first parameters).
#[derive(Clone)]
struct Closure {
    function: usize,
    captured: Vec<Dynamic>,
}

#[derive(Debug)]
enum E {
    Const(Dynamic),
    /// An interpolated string's parts, and room for it (its literal parts' bytes and some).
    Interp(Vec<E>, usize),
    Array(Vec<E>),
    Var(usize),
    Not(Box<E>),
    Neg(Box<E>),
    Bin(Op, Box<(E, E)>),
    And(Vec<E>),
    Or(Vec<E>),
    /// `base.name`: a fact's field, or a map's entry.
    Prop(Box<E>, Option<Field>, ImmutableString),
    Map(Box<rhai::Map>, Vec<(ImmutableString, E)>),
    Closure(usize, Vec<E>),
    Index(Box<(E, E)>),
    Api(Api, Vec<E>),
    /// `fact(key)`, with where its key was last found in a fact table.
    Fact(Box<E>, AtomicUsize),
    Method(Method, Box<E>, Vec<E>),
    Script(usize, Vec<E>),
    Block(Block),
    Bail,
}

impl Program {
    /// Lowers every function of `ast`, unless the file redefines a name lowering relies on.
    pub(super) fn lower(ast: &AST) -> Program {
        let defs: Vec<_> = ast.iter_fn_def().collect();
        let reserved = defs.iter().any(|d| {
            let n = d.name.as_str();
            RESERVED.contains(&n)
                || n.starts_with("get$")
                || n.starts_with("set$")
                || n.starts_with("index$")
        });
        if reserved {
            return Program::default();
        }
        let names: Vec<(String, usize)> = defs
            .iter()
            .map(|d| (d.name.to_string(), d.params.len()))
            .collect();
        // A body's statements, each function walked on its own (a closure's lifted function
        // has no end position, so spans cannot tell its statements from its parent's).
        let bodies: Vec<Option<Vec<Stmt>>> = defs
            .iter()
            .map(|d| {
                if d.this_type.is_some() {
                    return None;
                }
                let mut lib = rhai::Module::new();
                lib.set_script_fn(rhai::ScriptFuncDef::clone(d));
                let one = AST::new(Vec::new(), lib);
                let mut stmts = Vec::new();
                one.walk(&mut |path: &[rhai::ASTNode]| {
                    if let [rhai::ASTNode::Stmt(stmt)] = path {
                        stmts.push((*stmt).clone());
                    }
                    true
                });
                Some(stmts)
            })
            .collect();
        let pure: Vec<bool> = bodies
            .iter()
            .map(|b| b.as_ref().is_some_and(|b| !b.iter().any(assigns)))
            .collect();
        let fns = defs
            .iter()
            .zip(&bodies)
            .map(|(d, stmts)| {
                let mut scope: Vec<ImmutableString> = d.params.iter().cloned().collect();
                let body = match stmts {
                    Some(stmts) => Lowering {
                        names: &names,
                        pure: &pure,
                    }
                    .block(stmts, &mut scope),
                    None => Block(vec![S::Bail]),
                };
                Function {
                    params: d.params.len(),
                    body,
                }
            })
            .collect();
        Program { fns, names }
    }

    /// The lowered function `name` of `arity` parameters, if the file has one.
    pub(super) fn function(&self, name: &str, arity: usize) -> Option<usize> {
        self.names
            .iter()
            .position(|(n, a)| n == name && *a == arity)
    }

    /// Runs check `index` (a function without parameters): its outcome, or `None` when the
    /// interpreter must run it instead (see the module's doc).
    pub(super) fn run(&self, index: usize, limits: &Limits) -> Option<RhaiOutcome> {
        self.run_counting(index, limits, &mut 0)
    }

    /// [`Program::run`], adding the operations it counted to `spent` (what a test of the
    /// limits needs to see: a run that hands over says nothing of how far it went).
    pub(super) fn run_counting(
        &self,
        index: usize,
        limits: &Limits,
        spent: &mut u64,
    ) -> Option<RhaiOutcome> {
        // Without an operation limit only the deadline bounds a rule, which the interpreter
        // keeps and a lowered run does not.
        if limits.max_operations == 0 {
            return None;
        }
        // The two stacks of the thread's last run, emptied, so a run allocates none of its own
        // (a nested run, which lowering never makes, would start with new ones).
        let (locals, stack) = SPARE.with(|s| std::mem::take(&mut *s.borrow_mut()));
        let mut run = Run {
            program: self,
            limits,
            ops: 0,
            depth: 0,
            locals,
            stack,
        };
        let value = run.call(index, &[], 0);
        *spent += run.ops;
        // The interpreter counts an operation per statement and expression and per call; this
        // run counted each node and call once, and asks for twice that plus the entry's room.
        let within = run.within();
        let Run {
            mut locals,
            mut stack,
            ..
        } = run;
        locals.clear();
        stack.clear();
        SPARE.with(|s| *s.borrow_mut() = (locals, stack));
        within.ok()?;
        value.ok()?.try_cast::<RhaiOutcome>()
    }
}

struct Lowering<'a> {
    names: &'a [(String, usize)],
    /// By function: whether its body assigns to no variable.
    pure: &'a [bool],
}

impl Lowering<'_> {
    fn block(&self, stmts: &[Stmt], scope: &mut Vec<ImmutableString>) -> Block {
        let base = scope.len();
        let out = stmts.iter().map(|s| self.stmt(s, scope)).collect();
        scope.truncate(base);
        Block(out)
    }

    fn stmt(&self, stmt: &Stmt, scope: &mut Vec<ImmutableString>) -> S {
        match stmt {
            Stmt::Noop(_) => S::Expr(E::Const(Dynamic::UNIT)),
            Stmt::Var(x, _, _) => {
                let value = self.expr(&x.1, scope);
                scope.push(x.0.name.clone());
                S::Let(value)
            }
            Stmt::Assignment(x) => {
                let (op, bin) = x.as_ref();
                match (&bin.lhs, op.is_op_assignment()) {
                    (Expr::Variable(v, _, _), false) => match slot(scope, &v.1) {
                        Some(at) => S::Set(at, self.expr(&bin.rhs, scope)),
                        None => S::Bail,
                    },
                    _ => S::Bail,
                }
            }
            Stmt::If(fc, _) => S::If(
                self.expr(&fc.expr, scope),
                self.block(fc.body.statements(), scope),
                self.block(fc.branch.statements(), scope),
            ),
            Stmt::FnCall(call, _) => S::Expr(self.call(call, scope)),
            Stmt::Block(b) => S::Block(self.block(b.statements(), scope)),
            Stmt::Expr(e) => S::Expr(self.expr(e, scope)),
            Stmt::Return(value, flags, _) if *flags == ASTFlags::NONE => S::Return(match value {
                Some(e) => self.expr(e, scope),
                None => E::Const(Dynamic::UNIT),
            }),
            _ => S::Bail,
        }
    }

    fn expr(&self, expr: &Expr, scope: &mut Vec<ImmutableString>) -> E {
        match expr {
            Expr::DynamicConstant(d, _) => E::Const(d.as_ref().clone()),
            Expr::BoolConstant(b, _) => E::Const(Dynamic::from_bool(*b)),
            Expr::IntegerConstant(i, _) => E::Const(Dynamic::from_int(*i)),
            Expr::FloatConstant(f, _) => E::Const(Dynamic::from_float(**f)),
            Expr::StringConstant(s, _) => E::Const(Dynamic::from(s.clone())),
            Expr::Unit(_) => E::Const(Dynamic::UNIT),
            Expr::InterpolatedString(parts, _) => {
                let parts: Vec<E> = parts.iter().map(|p| self.expr(p, scope)).collect();
                let room = parts
                    .iter()
                    .map(|p| match p {
                        E::Const(d) => text(d).map_or(16, |s| s.len()),
                        _ => 32,
                    })
                    .sum();
                E::Interp(parts, room)
            }
            Expr::Array(items, _) => E::Array(items.iter().map(|i| self.expr(i, scope)).collect()),
            Expr::Variable(v, _, _) => match slot(scope, &v.1) {
                Some(at) => E::Var(at),
                None => E::Bail,
            },
            Expr::And(list, _) => E::And(list.iter().map(|e| self.expr(e, scope)).collect()),
            Expr::Or(list, _) => E::Or(list.iter().map(|e| self.expr(e, scope)).collect()),
            Expr::FnCall(call, _) => self.call(call, scope),
            Expr::Dot(bin, _, _) => {
                let base = self.expr(&bin.lhs, scope);
                self.chain(base, &bin.rhs, scope)
            }
            Expr::Index(bin, _, _) => E::Index(Box::new((
                self.expr(&bin.lhs, scope),
                self.expr(&bin.rhs, scope),
            ))),
            Expr::Map(m, _) => E::Map(
                Box::new(m.1.clone()),
                m.0.iter()
                    .map(|(k, v)| (k.name.clone(), self.expr(v, scope)))
                    .collect(),
            ),
            // A closure anywhere but as the argument of `some` or `filter` could outlive the
            // values it captured, which Rhai shares and this run copies.
            Expr::Stmt(block) if matches!(block.statements(), [Stmt::Share(_), ..]) => E::Bail,
            Expr::Stmt(block) => E::Block(self.block(block.statements(), scope)),
            _ => E::Bail,
        }
    }

    /// A closure as Rhai compiles one that captures variables: the variables made shared,
    /// then `curry` of the function it made with them.
    fn closure(&self, stmts: &[Stmt], scope: &mut Vec<ImmutableString>) -> Option<E> {
        let [Stmt::Share(_), call] = stmts else {
            return None;
        };
        let call = match call {
            Stmt::FnCall(call, _) => call.as_ref(),
            Stmt::Expr(e) => match e.as_ref() {
                Expr::FnCall(call, _) => call.as_ref(),
                _ => return None,
            },
            _ => return None,
        };
        if call.name != "curry" || call.op_token.is_some() || call.capture_parent_scope {
            return None;
        }
        let (first, captured) = call.args.split_first()?;
        let Expr::DynamicConstant(d, _) = first else {
            return None;
        };
        let at = self.function(d, captured.len() + 1)?;
        let captured = captured
            .iter()
            .map(|e| match e {
                Expr::Variable(..) => Some(self.expr(e, scope)),
                _ => None,
            })
            .collect::<Option<Vec<E>>>()?;
        Some(E::Closure(at, captured))
    }

    /// `base.rhs`, where `rhs` is a property, a method call, or a chain of them.
    fn chain(&self, base: E, rhs: &Expr, scope: &mut Vec<ImmutableString>) -> E {
        match rhs {
            Expr::Property(p, _) => E::Prop(Box::new(base), field(p.2.as_str()), p.2.clone()),
            Expr::MethodCall(call, _) => {
                let method = match call.name.as_str() {
                    _ if call.capture_parent_scope => None,
                    "len" if call.args.is_empty() => Some(Method::Len),
                    "to_float" if call.args.is_empty() => Some(Method::ToFloat),
                    "to_lower" if call.args.is_empty() => Some(Method::ToLower),
                    "contains" if call.args.len() == 1 => Some(Method::Contains),
                    "some" if call.args.len() == 1 => Some(Method::Some),
                    "filter" if call.args.len() == 1 => Some(Method::Filter),
                    _ => None,
                };
                match method {
                    Some(m @ (Method::Some | Method::Filter)) => {
                        let closure = match call.args.first() {
                            Some(Expr::Stmt(block)) => self.closure(block.statements(), scope),
                            Some(Expr::DynamicConstant(d, _)) => {
                                self.function(d, 1).map(|at| E::Closure(at, Vec::new()))
                            }
                            _ => None,
                        };
                        E::Method(m, Box::new(base), vec![closure.unwrap_or(E::Bail)])
                    }
                    Some(m) => E::Method(
                        m,
                        Box::new(base),
                        call.args.iter().map(|a| self.expr(a, scope)).collect(),
                    ),
                    None => E::Bail,
                }
            }
            Expr::Dot(bin, _, _) => {
                let inner = self.chain(base, &bin.lhs, scope);
                self.chain(inner, &bin.rhs, scope)
            }
            Expr::Index(bin, _, _) => {
                let inner = self.chain(base, &bin.lhs, scope);
                E::Index(Box::new((inner, self.expr(&bin.rhs, scope))))
            }
            _ => E::Bail,
        }
    }

    /// The file's function a function pointer names, if it takes `arity` parameters and is
    /// a closure Rhai made (whose body assigns nothing, so copying what it captured is exact).
    fn function(&self, d: &Dynamic, arity: usize) -> Option<usize> {
        let name = d.read_lock::<rhai::FnPtr>()?.fn_name().to_owned();
        if !name.starts_with("anon$") {
            return None;
        }
        let at = self
            .names
            .iter()
            .position(|(n, a)| *n == name && *a == arity)?;
        self.pure.get(at).copied().unwrap_or(false).then_some(at)
    }

    fn call(&self, call: &FnCallExpr, scope: &mut Vec<ImmutableString>) -> E {
        if call.capture_parent_scope {
            return E::Bail;
        }
        let args: Vec<E> = call.args.iter().map(|a| self.expr(a, scope)).collect();
        let name = call.name.as_str();
        if call.op_token.is_some() {
            let mut args = args.into_iter();
            return match (name, args.next(), args.next(), args.next()) {
                ("!", Some(a), None, None) => E::Not(Box::new(a)),
                ("-", Some(a), None, None) => E::Neg(Box::new(a)),
                (_, Some(a), Some(b), None) => match operator(name) {
                    Some(op) => E::Bin(op, Box::new((a, b))),
                    None => E::Bail,
                },
                _ => E::Bail,
            };
        }
        if let Some(at) = self
            .names
            .iter()
            .position(|(n, a)| n == name && *a == args.len())
        {
            return E::Script(at, args);
        }
        if name == "fact" {
            let mut args = args.into_iter();
            return match (args.next(), args.next()) {
                (Some(key), None) => E::Fact(Box::new(key), AtomicUsize::new(usize::MAX)),
                _ => E::Bail,
            };
        }
        let api = match (name, args.len()) {
            ("param", 1) => Api::Param,
            ("param_or", 2) => Api::ParamOr,
            ("pass", 0 | 1) => Api::Pass,
            ("fail", 0 | 1) => Api::Fail,
            ("unknown", 0 | 1) => Api::Unknown,
            ("not_applicable", 0 | 1) => Api::NotApplicable,
            ("partial", 2) => Api::Partial,
            ("ramp", 3) => Api::Ramp,
            ("nines", 1) => Api::Nines,
            ("shown", 1) => Api::Shown,
            ("listed", 1) => Api::Listed,
            ("plural", 1) => Api::Plural,
            ("yes_no", 4) => Api::YesNo,
            _ => return E::Bail,
        };
        E::Api(api, args)
    }
}

fn slot(scope: &[ImmutableString], name: &str) -> Option<usize> {
    scope.iter().rposition(|n| n.as_str() == name)
}

fn field(name: &str) -> Option<Field> {
    Some(match name {
        "known" => Field::Known,
        "value" => Field::Value,
        "status" => Field::Status,
        "source" => Field::Source,
        "note" => Field::Note,
        "stale" => Field::Stale,
        "reason" => Field::Reason,
        "age_days" => Field::AgeDays,
        _ => return None,
    })
}

fn operator(name: &str) -> Option<Op> {
    Some(match name {
        "==" => Op::Eq,
        "!=" => Op::Ne,
        "<" => Op::Lt,
        "<=" => Op::Le,
        ">" => Op::Gt,
        ">=" => Op::Ge,
        "+" => Op::Add,
        "-" => Op::Sub,
        "*" => Op::Mul,
        "/" => Op::Div,
        _ => return None,
    })
}

/// Whether `stmt` assigns to a variable anywhere within it.
fn assigns(stmt: &Stmt) -> bool {
    let mut found = false;
    stmt.walk(&mut Vec::new(), &mut |path: &[rhai::ASTNode]| {
        if let Some(rhai::ASTNode::Stmt(Stmt::Assignment(_))) = path.last() {
            found = true;
        }
        !found
    });
    found
}

/// Why a lowered run stopped early.
enum Stop {
    /// Hand the check to the interpreter.
    Bail,
    /// `return`, carrying its value out of the function.
    Return(Dynamic),
}

type X = Result<Dynamic, Stop>;

thread_local! {
    /// The locals and argument stacks a run on this thread leaves behind, empty.
    static SPARE: std::cell::RefCell<(Vec<Dynamic>, Vec<Dynamic>)> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

struct Run<'a> {
    program: &'a Program,
    limits: &'a Limits,
    ops: u64,
    /// Script calls in progress (the check itself is the first).
    depth: usize,
    /// Every frame's locals, innermost last (the interpreter's scope is one stack, too).
    locals: Vec<Dynamic>,
    /// The arguments of the API and method calls being made, innermost last.
    stack: Vec<Dynamic>,
}

impl Run<'_> {
    fn tick(&mut self) {
        self.ops += 1;
    }

    /// Whether the operations counted so far, doubled and with the entry's room, still fit
    /// the limit. Checked at every call and every closure call, the only places where work
    /// is not bounded by the size of the code: a recursion that would pass the limit stops
    /// there, not after doing it all.
    fn within(&self) -> Result<(), Stop> {
        if self.ops.saturating_mul(2).saturating_add(8) > self.limits.max_operations {
            return Err(Stop::Bail);
        }
        Ok(())
    }

    /// The value, if the interpreter's size limits leave it room to spare.
    fn sized(&self, v: Dynamic) -> X {
        let (mut items, mut entries, mut bytes) = (0usize, 0usize, 0usize);
        measure(&v, &mut items, &mut entries, &mut bytes);
        let over = |n: usize, limit: usize| limit != 0 && n >= limit;
        if over(items, self.limits.max_array_size)
            || over(entries, self.limits.max_map_size)
            || over(bytes, self.limits.max_string_size)
        {
            return Err(Stop::Bail);
        }
        Ok(v)
    }

    /// Room for `n` more variables, with one to spare (arguments count as variables, and 0
    /// allows none: it is not "no limit" for this one).
    fn room_for(&self, n: usize) -> Result<(), Stop> {
        if self.locals.len() + n + 1 >= self.limits.max_variables {
            return Err(Stop::Bail);
        }
        Ok(())
    }

    /// Calls function `index` with `args`, evaluated in `frame` and put in place as the
    /// callee's first locals.
    fn call(&mut self, index: usize, args: &[E], frame: usize) -> X {
        let f = self.program.fns.get(index).ok_or(Stop::Bail)?;
        if f.params != args.len() {
            return Err(Stop::Bail);
        }
        self.room_for(args.len())?;
        let base = self.locals.len();
        for a in args {
            let v = self.expr(a, frame)?;
            self.locals.push(v);
        }
        self.depth += 1;
        // The entry script, the check and each helper take a call level; keep one in hand.
        if self.depth + 2 > self.limits.max_call_levels {
            return Err(Stop::Bail);
        }
        self.tick();
        self.within()?;
        let out = match self.block_in(&f.body, base) {
            Ok(v) | Err(Stop::Return(v)) => Ok(v),
            Err(Stop::Bail) => Err(Stop::Bail),
        };
        self.locals.truncate(base);
        self.depth -= 1;
        out
    }

    /// A function's body, whose locals start at `frame`.
    fn block_in(&mut self, block: &Block, frame: usize) -> X {
        let mut last = Dynamic::UNIT;
        for s in &block.0 {
            last = self.stmt(s, frame)?;
        }
        Ok(last)
    }

    fn block(&mut self, block: &Block, frame: usize) -> X {
        let base = self.locals.len();
        let out = self.block_in(block, frame);
        self.locals.truncate(base);
        out
    }

    fn stmt(&mut self, s: &S, frame: usize) -> X {
        self.tick();
        match s {
            S::Let(e) => {
                let v = self.expr(e, frame)?;
                self.room_for(1)?;
                self.locals.push(v);
                Ok(Dynamic::UNIT)
            }
            S::Set(at, e) => {
                let v = self.expr(e, frame)?;
                let slot = self.locals.get_mut(frame + at).ok_or(Stop::Bail)?;
                *slot = v;
                Ok(Dynamic::UNIT)
            }
            S::If(c, then, otherwise) => {
                let c = self.expr(c, frame)?.as_bool().map_err(|_| Stop::Bail)?;
                self.block(if c { then } else { otherwise }, frame)
            }
            S::Return(e) => Err(Stop::Return(self.expr(e, frame)?)),
            S::Expr(e) => self.expr(e, frame),
            S::Block(b) => self.block(b, frame),
            S::Bail => Err(Stop::Bail),
        }
    }

    /// Evaluates `es` onto the argument stack; where they start.
    fn push(&mut self, es: &[E], frame: usize) -> Result<usize, Stop> {
        let at = self.stack.len();
        for e in es {
            let v = self.expr(e, frame)?;
            self.stack.push(v);
        }
        Ok(at)
    }

    fn values(&mut self, es: &[E], frame: usize) -> Result<Vec<Dynamic>, Stop> {
        let mut out = Vec::with_capacity(es.len());
        for e in es {
            out.push(self.expr(e, frame)?);
        }
        Ok(out)
    }

    /// An interpolated string: each part as the interpreter's `to_string` writes it.
    fn interp(&mut self, parts: &[E], room: usize, frame: usize) -> X {
        let mut out = String::with_capacity(room);
        for p in parts {
            let v = self.expr(p, frame)?;
            // Each type asked first: a failed conversion names the type, which costs.
            if let Some(s) = text(&v) {
                out.push_str(&s);
            } else if let (true, Ok(i)) = (v.is_int(), v.as_int()) {
                out.push_str(&i.to_string());
            } else if let (true, Ok(f)) = (v.is_float(), v.as_float()) {
                out.push_str(&rhai::FloatWrapper::new(f).to_string());
            } else if let (true, Ok(b)) = (v.is_bool(), v.as_bool()) {
                out.push_str(if b { "true" } else { "false" });
            } else {
                return Err(Stop::Bail);
            }
        }
        self.sized(Dynamic::from(ImmutableString::from(out)))
    }

    fn bool(&mut self, e: &E, frame: usize) -> Result<bool, Stop> {
        self.expr(e, frame)?.as_bool().map_err(|_| Stop::Bail)
    }

    fn expr(&mut self, e: &E, frame: usize) -> X {
        self.tick();
        match e {
            E::Const(d) => Ok(d.clone()),
            E::Var(at) => self.locals.get(frame + at).cloned().ok_or(Stop::Bail),
            E::Interp(parts, room) => self.interp(parts, *room, frame),
            E::Array(items) => {
                let out = self.values(items, frame)?;
                self.sized(Dynamic::from_array(out))
            }
            E::Not(a) => Ok(Dynamic::from_bool(!self.bool(a, frame)?)),
            E::Neg(a) => {
                let v = self.expr(a, frame)?;
                if let Ok(i) = v.as_int() {
                    return i.checked_neg().map(Dynamic::from_int).ok_or(Stop::Bail);
                }
                v.as_float()
                    .map(|f| Dynamic::from_float(-f))
                    .map_err(|_| Stop::Bail)
            }
            E::Bin(op, ab) => {
                let a = self.expr(&ab.0, frame)?;
                let b = self.expr(&ab.1, frame)?;
                binary(*op, &a, &b).ok_or(Stop::Bail)
            }
            E::And(list) => {
                for e in list {
                    if !self.bool(e, frame)? {
                        return Ok(Dynamic::FALSE);
                    }
                }
                Ok(Dynamic::TRUE)
            }
            E::Or(list) => {
                for e in list {
                    if self.bool(e, frame)? {
                        return Ok(Dynamic::TRUE);
                    }
                }
                Ok(Dynamic::FALSE)
            }
            E::Prop(base, f, name) => {
                // A variable's field is read in place: a copy of a fact's handle is a boxed
                // value of its own, made and dropped for each field read.
                if let E::Var(at) = **base {
                    self.tick();
                    self.tick();
                    let v = self.locals.get_mut(frame + at).ok_or(Stop::Bail)?;
                    let out = prop(v, *f, name)?;
                    return self.sized(out);
                }
                let mut v = self.expr(base, frame)?;
                self.tick();
                self.sized(prop(&mut v, *f, name)?)
            }
            E::Map(template, entries) => {
                let mut map = template.as_ref().clone();
                for (k, e) in entries {
                    let v = self.expr(e, frame)?;
                    *map.get_mut(k.as_str()).ok_or(Stop::Bail)? = v;
                }
                self.sized(Dynamic::from_map(map))
            }
            E::Closure(at, captured) => {
                let vals = self.values(captured, frame)?;
                Ok(Dynamic::from(Closure {
                    function: *at,
                    captured: vals,
                }))
            }
            E::Index(ab) => {
                let a = self.expr(&ab.0, frame)?;
                let i = self.expr(&ab.1, frame)?.as_int().map_err(|_| Stop::Bail)?;
                let arr = a.as_array_ref().map_err(|_| Stop::Bail)?;
                let at = usize::try_from(i).map_err(|_| Stop::Bail)?;
                arr.get(at).cloned().ok_or(Stop::Bail)
            }
            E::Method(m, base, args) => {
                let v = self.expr(base, frame)?;
                let at = self.push(args, frame)?;
                self.tick();
                let out = match m {
                    Method::Some | Method::Filter => {
                        let vals: Vec<Dynamic> = self.stack.drain(at..).collect();
                        Some(self.select(*m, &v, &vals)?)
                    }
                    _ => method(*m, &v, self.stack.get(at..).unwrap_or_default()),
                };
                self.stack.truncate(at);
                self.sized(out.ok_or(Stop::Bail)?)
            }
            E::Script(at, args) => {
                self.tick();
                self.call(*at, args, frame)
            }
            E::Api(api, args) => {
                let at = self.push(args, frame)?;
                self.tick();
                let out = call_api(*api, self.stack.get_mut(at..).unwrap_or_default());
                self.stack.truncate(at);
                self.sized(out.ok_or(Stop::Bail)?)
            }
            E::Fact(key, at) => {
                // As `E::Api` does: the argument, then the call.
                let key = self.expr(key, frame)?;
                self.tick();
                let key = text(&key).ok_or(Stop::Bail)?;
                let view = api::fact_hinted(&key, Some(at)).map_err(|_| Stop::Bail)?;
                self.sized(Dynamic::from(view))
            }
            E::Block(b) => self.block(b, frame),
            E::Bail => Err(Stop::Bail),
        }
    }
}

impl Run<'_> {
    /// `some` or `filter` over a list with a closure that must say true or false of each item.
    /// Each call is the closure's function with what it captured and the item; the captured
    /// values are put in place once for all the calls, as they cannot change between them.
    fn select(&mut self, m: Method, list: &Dynamic, args: &[Dynamic]) -> X {
        let [closure] = args else {
            return Err(Stop::Bail);
        };
        let closure = closure.read_lock::<Closure>().ok_or(Stop::Bail)?;
        let items = list.as_array_ref().map_err(|_| Stop::Bail)?;
        let f = self.program.fns.get(closure.function).ok_or(Stop::Bail)?;
        if f.params != closure.captured.len() + 1 {
            return Err(Stop::Bail);
        }
        self.depth += 1;
        if self.depth + 2 > self.limits.max_call_levels {
            return Err(Stop::Bail);
        }
        self.room_for(f.params)?;
        let base = self.locals.len();
        self.locals.extend(closure.captured.iter().cloned());
        let mut kept = Array::new();
        let mut found = false;
        for item in items.iter() {
            self.tick();
            self.tick();
            self.within()?;
            self.locals.push(item.clone());
            let yes = match self.block_in(&f.body, base) {
                Ok(v) | Err(Stop::Return(v)) => v.as_bool().map_err(|_| Stop::Bail),
                Err(Stop::Bail) => Err(Stop::Bail),
            };
            self.locals.truncate(base + closure.captured.len());
            match (m, yes?) {
                (Method::Some, true) => {
                    found = true;
                    break;
                }
                (Method::Filter, true) => kept.push(item.clone()),
                _ => {}
            }
        }
        self.locals.truncate(base);
        self.depth -= 1;
        Ok(match m {
            Method::Some => Dynamic::from_bool(found),
            _ => Dynamic::from_array(kept),
        })
    }
}

/// `v.name`: a fact's field (read through the API, so it is recorded) or a map's entry.
fn prop(v: &mut Dynamic, f: Option<Field>, name: &str) -> X {
    if v.is::<FactView>() {
        let mut view = v.write_lock::<FactView>().ok_or(Stop::Bail)?;
        return Ok(api::field(&mut view, f.ok_or(Stop::Bail)?));
    }
    let map = v.as_map_ref().map_err(|_| Stop::Bail)?;
    map.get(name).cloned().ok_or(Stop::Bail)
}

/// Array items (nested arrays count theirs) and string bytes in a value, as the
/// interpreter's size limits count them.
fn measure(v: &Dynamic, items: &mut usize, entries: &mut usize, bytes: &mut usize) {
    if !(v.is_string() || v.is_array() || v.is_map()) {
        return;
    }
    if let Ok(s) = v.as_immutable_string_ref() {
        *bytes += s.len();
    } else if let Ok(a) = v.as_array_ref() {
        *items += a.len();
        for i in a.iter() {
            measure(i, items, entries, bytes);
        }
    } else if let Ok(m) = v.as_map_ref() {
        *entries += m.len();
        for i in m.values() {
            measure(i, items, entries, bytes);
        }
    }
}

/// A number as both operands of a mixed operation see it: the interpreter's built-in
/// operators take two integers, two floats, or one of each as floats.
enum Nums {
    Ints(INT, INT),
    Floats(FLOAT, FLOAT),
}

fn nums(a: &Dynamic, b: &Dynamic) -> Option<Nums> {
    #[expect(
        clippy::cast_precision_loss,
        reason = "the interpreter converts an integer to a float the same way"
    )]
    let f = |d: &Dynamic| {
        if d.is_float() {
            d.as_float().ok()
        } else if d.is_int() {
            d.as_int().ok().map(|i| i as FLOAT)
        } else {
            None
        }
    };
    if a.is_int() && b.is_int() {
        return Some(Nums::Ints(a.as_int().ok()?, b.as_int().ok()?));
    }
    Some(Nums::Floats(f(a)?, f(b)?))
}

#[expect(
    clippy::float_cmp,
    reason = "the interpreter's `==` on floats is exact"
)]
fn binary(op: Op, a: &Dynamic, b: &Dynamic) -> Option<Dynamic> {
    use std::cmp::Ordering;
    let order = match (op, nums(a, b)) {
        (Op::Add, Some(Nums::Ints(x, y))) => return x.checked_add(y).map(Dynamic::from_int),
        (Op::Sub, Some(Nums::Ints(x, y))) => return x.checked_sub(y).map(Dynamic::from_int),
        (Op::Mul, Some(Nums::Ints(x, y))) => return x.checked_mul(y).map(Dynamic::from_int),
        (Op::Div, Some(Nums::Ints(x, y))) => return x.checked_div(y).map(Dynamic::from_int),
        (Op::Add, Some(Nums::Floats(x, y))) => return Some(Dynamic::from_float(x + y)),
        (Op::Sub, Some(Nums::Floats(x, y))) => return Some(Dynamic::from_float(x - y)),
        (Op::Mul, Some(Nums::Floats(x, y))) => return Some(Dynamic::from_float(x * y)),
        (Op::Div, Some(Nums::Floats(x, y))) => return Some(Dynamic::from_float(x / y)),
        (Op::Eq, Some(Nums::Floats(x, y))) => return Some(Dynamic::from_bool(x == y)),
        (Op::Ne, Some(Nums::Floats(x, y))) => return Some(Dynamic::from_bool(x != y)),
        (_, Some(Nums::Ints(x, y))) => x.cmp(&y),
        (_, Some(Nums::Floats(x, y))) => match x.partial_cmp(&y) {
            Some(o) => o,
            // NaN: every ordering is false.
            None => return Some(Dynamic::FALSE),
        },
        (Op::Eq | Op::Ne, None) => {
            let same = if let (true, Ok(x), Ok(y)) = (a.is_bool(), a.as_bool(), b.as_bool()) {
                x == y
            } else if let (Ok(x), Ok(y)) =
                (a.as_immutable_string_ref(), b.as_immutable_string_ref())
            {
                *x == *y
            } else {
                return None;
            };
            return Some(Dynamic::from_bool(same == matches!(op, Op::Eq)));
        }
        _ => return None,
    };
    Some(Dynamic::from_bool(match op {
        Op::Eq => order == Ordering::Equal,
        Op::Ne => order != Ordering::Equal,
        Op::Lt => order == Ordering::Less,
        Op::Le => order != Ordering::Greater,
        Op::Gt => order == Ordering::Greater,
        Op::Ge => order != Ordering::Less,
        _ => return None,
    }))
}

fn method(m: Method, v: &Dynamic, args: &[Dynamic]) -> Option<Dynamic> {
    match (m, args) {
        (Method::Len, []) => {
            let n = if let (true, Ok(a)) = (v.is_array(), v.as_array_ref()) {
                a.len()
            } else {
                v.as_immutable_string_ref().ok()?.chars().count()
            };
            INT::try_from(n).ok().map(Dynamic::from_int)
        }
        #[expect(
            clippy::cast_precision_loss,
            reason = "the interpreter's `to_float` converts the same way"
        )]
        (Method::ToFloat, []) => match (v.is_int(), v.as_int()) {
            (true, Ok(i)) => Some(Dynamic::from_float(i as FLOAT)),
            _ => v.as_float().ok().map(Dynamic::from_float),
        },
        (Method::ToLower, []) => {
            let s = v.as_immutable_string_ref().ok()?;
            Some(Dynamic::from(ImmutableString::from(s.to_lowercase())))
        }
        (Method::Contains, [x]) => {
            let x = x.as_immutable_string_ref().ok()?;
            if let (true, Ok(a)) = (v.is_array(), v.as_array_ref()) {
                // Only a list of strings: there `contains` is `==` on strings.
                let mut found = false;
                for i in a.iter() {
                    found |= *i.as_immutable_string_ref().ok()? == *x;
                }
                Some(Dynamic::from_bool(found))
            } else {
                let s = v.as_immutable_string_ref().ok()?;
                Some(Dynamic::from_bool(s.contains(x.as_str())))
            }
        }
        _ => None,
    }
}

fn text(d: &Dynamic) -> Option<ImmutableString> {
    if !d.is_string() {
        return None;
    }
    d.as_immutable_string_ref().ok().map(|s| s.clone())
}

fn call_api(api: Api, args: &mut [Dynamic]) -> Option<Dynamic> {
    use super::OutcomeStatus as O;
    use std::mem::take;
    let outcome = |status, value, args: &[Dynamic]| {
        let note = match args {
            [] => ImmutableString::new(),
            [n] => text(n)?,
            _ => return None,
        };
        Some(Dynamic::from(api::outcome(status, value, &note)))
    };
    match (api, args) {
        (Api::Param, [k]) => api::param(&text(k)?).ok(),
        (Api::ParamOr, [k, default]) => api::param_or(&text(k)?, take(default)).ok(),
        (Api::Pass, args) => outcome(O::Pass, Some(1.0), args),
        (Api::Fail, args) => outcome(O::Fail, Some(0.0), args),
        (Api::Unknown, args) => outcome(O::Unknown, None, args),
        (Api::NotApplicable, args) => outcome(O::NotApplicable, None, args),
        (Api::Partial, [x, note]) => api::partial(take(x), &text(note)?).ok().map(Dynamic::from),
        (Api::Ramp, [x, lo, hi]) => api::ramp(take(x), take(lo), take(hi))
            .ok()
            .map(Dynamic::from_float),
        (Api::Nines, [x]) => api::nines(take(x)).ok().map(Dynamic::from_float),
        (Api::Shown, [x]) => api::shown(take(x)).ok(),
        (Api::Listed, [a]) => {
            let mut items = a.write_lock::<Array>()?;
            Some(Dynamic::from(api::listed(&mut items)))
        }
        (Api::Plural, [n]) => Some(Dynamic::from(api::plural(take(n)))),
        (Api::YesNo, [f, yes, no, missing]) => {
            let (yes, no, missing) = (text(yes)?, text(no)?, text(missing)?);
            let mut view = f.write_lock::<FactView>()?;
            api::yes_no(&mut view, &yes, &no, &missing)
                .ok()
                .map(Dynamic::from)
        }
        _ => None,
    }
}
