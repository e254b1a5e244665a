//! The metric math parser: tokens, then recursive descent with the usual precedence (unary
//! minus, then `* /`, then `+ -`), function calls by name. Builds an `Expr`; evaluates nothing.

use super::{Agg, Expr, Op, SUPPORTED};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Name(String),
    Punct(char),
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(Tok::Num(text.parse().map_err(|_| format!("Invalid number {text}"))?));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Tok::Name(chars[start..i].iter().collect()));
        } else if "+-*/(),[]".contains(c) {
            out.push(Tok::Punct(c));
            i += 1;
        } else if c == '"' || c == '\'' {
            return Err(format!("String arguments are not supported: {SUPPORTED}"));
        } else {
            return Err(format!("Unexpected character '{c}'"));
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Punct(c)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.eat(c) { Ok(()) } else { Err(format!("Expected '{c}' at token {}", self.at + 1)) }
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let mut left = self.term()?;
        loop {
            let op = if self.eat('+') {
                Op::Add
            } else if self.eat('-') {
                Op::Sub
            } else {
                return Ok(left);
            };
            left = Expr::Bin(op, Box::new(left), Box::new(self.term()?));
        }
    }

    fn term(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        loop {
            let op = if self.eat('*') {
                Op::Mul
            } else if self.eat('/') {
                Op::Div
            } else {
                return Ok(left);
            };
            left = Expr::Bin(op, Box::new(left), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat('-') {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.toks.get(self.at).cloned() {
            Some(Tok::Num(n)) => {
                self.at += 1;
                Ok(Expr::Num(n))
            }
            Some(Tok::Punct('(')) => {
                self.at += 1;
                let e = self.expr()?;
                self.expect(')')?;
                Ok(e)
            }
            Some(Tok::Punct('[')) => {
                self.at += 1;
                let mut items = vec![self.expr()?];
                while self.eat(',') {
                    items.push(self.expr()?);
                }
                self.expect(']')?;
                Ok(Expr::List(items))
            }
            Some(Tok::Name(name)) => {
                self.at += 1;
                if self.eat('(') { self.call(&name) } else { Ok(Expr::Id(name)) }
            }
            Some(Tok::Punct(c)) => Err(format!("Unexpected '{c}'")),
            None => Err("Unexpected end of expression".into()),
        }
    }

    fn call(&mut self, name: &str) -> Result<Expr, String> {
        let e = match name {
            "METRICS" => Expr::Metrics,
            "FILL" => {
                let inner = self.expr()?;
                self.expect(',')?;
                let value = match self.expr()? {
                    Expr::Num(n) => n,
                    Expr::Neg(b) if matches!(*b, Expr::Num(_)) => match *b {
                        Expr::Num(n) => -n,
                        _ => unreachable!("matched as a number just above"),
                    },
                    _ => return Err(format!("FILL takes a number as its second argument: {SUPPORTED}")),
                };
                Expr::Fill(Box::new(inner), value)
            }
            "RATE" => Expr::Rate(Box::new(self.expr()?)),
            "SUM" | "AVG" | "MIN" | "MAX" => {
                let agg = match name {
                    "SUM" => Agg::Sum,
                    "AVG" => Agg::Avg,
                    "MIN" => Agg::Min,
                    _ => Agg::Max,
                };
                Expr::Agg(agg, Box::new(self.expr()?))
            }
            other => return Err(format!("Unsupported function {other}: {SUPPORTED}")),
        };
        self.expect(')')?;
        Ok(e)
    }
}

/// Parses an expression.
pub fn parse(s: &str) -> Result<Expr, String> {
    let mut p = Parser { toks: tokenize(s)?, at: 0 };
    let e = p.expr()?;
    if p.at != p.toks.len() {
        return Err(format!("Unexpected input after token {}", p.at));
    }
    Ok(e)
}
