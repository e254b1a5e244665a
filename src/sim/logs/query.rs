//! The read side of the simulated CloudWatch Logs that needs no store: the filter-pattern
//! matcher for unstructured text and the opaque page-token codec. It neither stores events
//! (`logs/mod.rs`) nor speaks any wire protocol (`api/logs*.rs`).

/// A compiled CloudWatch Logs filter pattern for unstructured text (case-sensitive, as AWS):
/// empty matches all; `ERROR 500` needs every term; `"a phrase"` is one term; `?ERROR ?WARN`
/// needs any one of the `?` terms; `-term` excludes; `%regex%` is a regular-expression term.
#[derive(Debug, Clone)]
pub struct FilterPattern {
    all: Vec<Term>,
    any: Vec<Term>,
    none: Vec<Term>,
}

#[derive(Debug, Clone)]
enum Term {
    Text(String),
    Regex(regex::Regex),
}

impl Term {
    fn found_in(&self, message: &str) -> bool {
        match self {
            Term::Text(t) => message.contains(t.as_str()),
            Term::Regex(r) => r.is_match(message),
        }
    }
}

impl FilterPattern {
    /// Parses a pattern; the error says what is not supported.
    pub fn parse(pattern: &str) -> Result<Self, String> {
        let p = pattern.trim();
        if p.starts_with('{') || p.starts_with('[') {
            return Err(format!(
                "Invalid filter pattern {p:?}: JSON ({{ $.x = ... }}) and space-delimited ([a, b]) patterns are not supported by the simulator; use terms, \"quoted phrases\", ?any, -exclude or %regex%"
            ));
        }
        let mut out = FilterPattern { all: Vec::new(), any: Vec::new(), none: Vec::new() };
        let mut chars = p.chars().peekable();
        loop {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            let Some(&first) = chars.peek() else { break };
            let bucket = match first {
                '?' => Some(&mut out.any),
                '-' => Some(&mut out.none),
                _ => None,
            };
            let bucket = match bucket {
                Some(b) => {
                    chars.next();
                    b
                }
                None => &mut out.all,
            };
            let term = match chars.peek() {
                Some('"') => {
                    chars.next();
                    let mut s = String::new();
                    loop {
                        match chars.next() {
                            Some('\\') => s.extend(chars.next()),
                            Some('"') => break,
                            Some(c) => s.push(c),
                            None => return Err(format!("Invalid filter pattern {p:?}: unterminated quote")),
                        }
                    }
                    Term::Text(s)
                }
                Some('%') => {
                    chars.next();
                    let body: String = chars.by_ref().take_while(|c| *c != '%').collect();
                    let re = regex::Regex::new(&body)
                        .map_err(|e| format!("Invalid filter pattern {p:?}: bad regular expression: {e}"))?;
                    Term::Regex(re)
                }
                _ => {
                    let mut s = String::new();
                    while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                        s.push(c);
                    }
                    Term::Text(s)
                }
            };
            if matches!(&term, Term::Text(t) if t.is_empty()) {
                return Err(format!("Invalid filter pattern {p:?}: empty term"));
            }
            bucket.push(term);
        }
        Ok(out)
    }

    pub fn matches(&self, message: &str) -> bool {
        self.all.iter().all(|t| t.found_in(message))
            && (self.any.is_empty() || self.any.iter().any(|t| t.found_in(message)))
            && !self.none.iter().any(|t| t.found_in(message))
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Encodes bytes as unpadded base64url: page tokens are opaque to callers.
pub fn encode_token(payload: &str) -> String {
    let mut out = String::with_capacity(payload.len() * 4 / 3 + 3);
    for chunk in payload.as_bytes().chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes `encode_token`'s output; `None` for anything that is not one.
pub fn decode_token(token: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(token.len() * 3 / 4);
    for chunk in token.as_bytes().chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let v = B64.iter().position(|b| b == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            bytes.push((n >> (16 - 8 * i)) as u8);
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(p: &str) -> FilterPattern {
        FilterPattern::parse(p).unwrap()
    }

    #[test]
    fn pattern_terms_phrases_any_and_exclusions() {
        assert!(pattern("").matches("anything"));
        assert!(pattern("ERROR").matches("PHP ERROR here"));
        assert!(!pattern("ERROR").matches("php error here"), "case-sensitive as AWS");
        assert!(pattern("ERROR 500").matches("500 ... ERROR"));
        assert!(!pattern("ERROR 500").matches("ERROR 404"));
        assert!(pattern("\"said into stderr\"").matches("child 3 said into stderr: x"));
        assert!(!pattern("\"said into stderr\"").matches("said stderr into"));
        assert!(pattern("?WARNING ?ERROR").matches("a WARNING"));
        assert!(pattern("?WARNING ?ERROR").matches("an ERROR"));
        assert!(!pattern("?WARNING ?ERROR").matches("NOTICE"));
        assert!(pattern("GET -healthz").matches("GET /"));
        assert!(!pattern("GET -healthz").matches("GET /healthz"));
        assert!(pattern("\"a \\\"q\\\"\"").matches("say a \"q\" now"));
        assert!(pattern("%5[0-9]{2}%").matches("HTTP 503"));
        assert!(!pattern("%5[0-9]{2}%").matches("HTTP 404"));
    }

    #[test]
    fn unsupported_patterns_say_so() {
        let e = FilterPattern::parse("{ $.level = \"error\" }").unwrap_err();
        assert!(e.contains("not supported"), "{e}");
        assert!(FilterPattern::parse("[ip, user, status=5*]").is_err());
        assert!(FilterPattern::parse("\"open").is_err());
        assert!(FilterPattern::parse("%(%").is_err());
    }

    #[test]
    fn token_codec_round_trips_and_rejects_junk() {
        for s in ["", "a", "ab", "abc", "v1|1795842000000|17|99|wp/nginx/abc|x", "ünïcode/ß"] {
            let t = encode_token(s);
            assert!(t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{t}");
            assert_eq!(decode_token(&t).as_deref(), Some(s));
        }
        assert_eq!(decode_token("a"), None);
        assert_eq!(decode_token("!!!!"), None);
    }
}
