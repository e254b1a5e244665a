//! Tests of the nginx access-line parser.

use super::*;
use proptest::prelude::*;

const LINE: &str = r#"10.0.1.200 - - [28/Nov/2026:14:02:11 +0000] "GET /2026/11/hello/ HTTP/1.1" 200 5123 "-" "Mozilla/5.0" "198.51.100.2" 0.043"#;

#[test]
fn parses_the_sites_format() {
    let a = parse_access_line(LINE).unwrap();
    assert_eq!(a.client, "198.51.100.2");
    assert_eq!(a.remote_addr, "10.0.1.200");
    assert_eq!(a.time_local, "28/Nov/2026:14:02:11 +0000");
    assert_eq!((a.method, a.path, a.protocol), ("GET", "/2026/11/hello/", "HTTP/1.1"));
    assert_eq!((a.status, a.bytes), (200, 5123));
    assert_eq!((a.referer, a.user_agent), ("-", "Mozilla/5.0"));
    assert_eq!(a.request_time_s, Some(0.043));
    assert!(!a.is_health_check);
}

#[test]
fn client_is_the_first_forwarded_address_or_remote_addr() {
    let chain = LINE.replace("\"198.51.100.2\"", "\"203.0.113.7, 10.0.0.5\"");
    assert_eq!(parse_access_line(&chain).unwrap().client, "203.0.113.7");
    let none = LINE.replace("\"198.51.100.2\"", "\"-\"");
    assert_eq!(parse_access_line(&none).unwrap().client, "10.0.1.200");
    let empty = LINE.replace("\"198.51.100.2\"", "\"\"");
    assert_eq!(parse_access_line(&empty).unwrap().client, "10.0.1.200");
}

#[test]
fn health_checks_are_flagged() {
    let hc = r#"10.0.1.5 - - [28/Nov/2026:14:02:11 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "ELB-HealthChecker/2.0" "-" 0.001"#;
    let a = parse_access_line(hc).unwrap();
    assert!(a.is_health_check);
    assert_eq!(a.client, "10.0.1.5");
}

#[test]
fn plain_combined_lines_parse_without_the_extra_fields() {
    let combined = r#"127.0.0.1 - alice [28/Nov/2026:14:02:11 +0000] "POST /xmlrpc.php HTTP/1.0" 403 0 "-" "curl/8.5""#;
    let a = parse_access_line(combined).unwrap();
    assert_eq!((a.method, a.path, a.status), ("POST", "/xmlrpc.php", 403));
    assert_eq!((a.forwarded_for, a.request_time_s), ("", None));
    assert_eq!(a.client, "127.0.0.1");
}

#[test]
fn odd_request_lines() {
    let tls = r#"10.0.1.200 - - [28/Nov/2026:14:02:11 +0000] "\x16\x03\x01\x00" 400 157 "-" "-" "-" 0.000"#;
    let a = parse_access_line(tls).unwrap();
    assert_eq!((a.method, a.path, a.protocol), ("", r"\x16\x03\x01\x00", ""));
    let dash = r#"10.0.1.200 - - [28/Nov/2026:14:02:11 +0000] "-" 408 0 "-" "-" "-" -"#;
    let a = parse_access_line(dash).unwrap();
    assert_eq!((a.method, a.path, a.status, a.request_time_s), ("", "-", 408, None));
    let http09 = r#"1.2.3.4 - - [28/Nov/2026:14:02:11 +0000] "GET /x" 200 1 "-" "-""#;
    assert_eq!(parse_access_line(http09).unwrap().path, "/x");
    let spaces = r#"1.2.3.4 - - [28/Nov/2026:14:02:11 +0000] "GET /a b c HTTP/1.1" 400 1 "-" "-""#;
    assert_eq!(parse_access_line(spaces).unwrap().path, "/a b c");
    let raw_quote = r#"1.2.3.4 - - [28/Nov/2026:14:02:11 +0000] "GET /"x" HTTP/1.1" 404 1 "-" "-""#;
    assert_eq!(parse_access_line(raw_quote).unwrap().path, r#"/"x""#);
    let utf8 = r#"1.2.3.4 - - [28/Nov/2026:14:02:11 +0000] "GET /日本語 HTTP/1.1" 200 1 "-" "ブラウザ" "-" 1.5"#;
    let a = parse_access_line(utf8).unwrap();
    assert_eq!((a.path, a.user_agent, a.request_time_s), ("/日本語", "ブラウザ", Some(1.5)));
}

#[test]
fn non_access_lines_are_rejected() {
    for line in [
        "",
        " ",
        "-",
        "2026/11/28 14:02:11 [error] 23#23: *1 connect() failed (111: Connection refused)",
        "[28-Nov-2026 14:02:11] WARNING: [pool www] server reached pm.max_children setting (5)",
        r#"1.2.3.4 - - [28/Nov/2026:14:02:11 +0000] "GET / HTTP/1.1" 2000 1 "-" "-""#,
        r#"1.2.3.4 - - [28/Nov/2026:14:02:11 +0000] "GET / HTTP/1.1" 200 99999999999999999999 "-""#,
        r#"1.2.3.4 - - [28/Nov/2026:14:02:11 +0000] "GET / HTTP/1.1" 20x 1"#,
        r#"1.2.3.4 - - [28/Nov/2026:14:02:11 +0000] "GET / HTTP/1.1"#,
        r#"1.2.3.4 - - [28/Nov/2026:14:02:11 +0000"#,
        "1.2.3.4 - - [x] \"\u{1b}[31m\" 200",
    ] {
        assert_eq!(parse_access_line(line), None, "{line:?}");
    }
}

#[test]
fn status_classes() {
    assert_eq!(StatusClass::of(200), StatusClass::Success);
    assert_eq!(StatusClass::of(304), StatusClass::Redirect);
    assert_eq!(StatusClass::of(499), StatusClass::ClientError);
    assert_eq!(StatusClass::of(504), StatusClass::ServerError);
    assert_eq!(StatusClass::of(101), StatusClass::Informational);
    assert_eq!(StatusClass::of(999), StatusClass::Other);
    assert_eq!(StatusClass::ServerError.label(), "5xx");
    for (i, c) in StatusClass::ALL.iter().enumerate() {
        assert_eq!(c.index(), i);
    }
}

#[test]
fn time_local_to_epoch_ms() {
    assert_eq!(parse_time_local("28/Nov/2026:14:02:11 +0000"), Some(1_795_874_531_000));
    assert_eq!(parse_time_local("28/Nov/2026:23:02:11 +0900"), Some(1_795_874_531_000));
    assert_eq!(parse_time_local("28/Nov/2026:09:02:11 -0500"), Some(1_795_874_531_000));
    assert_eq!(parse_time_local("31/Feb/2026:14:02:11 +0000"), None);
    assert_eq!(parse_time_local("28/Foo/2026:14:02:11 +0000"), None);
    assert_eq!(parse_time_local("28/Nov/2026:14:02:11"), None);
    assert_eq!(parse_time_local("28/Nov/2026:14:02:11 +000日"), None);
    assert_eq!(parse_time_local(""), None);
}

#[test]
fn request_time_parsing() {
    assert_eq!(parse_seconds("0.043"), Some(0.043));
    assert_eq!(parse_seconds("12"), Some(12.0));
    assert_eq!(parse_seconds(".5"), Some(0.5));
    assert_eq!(parse_seconds("-"), None);
    assert_eq!(parse_seconds("."), None);
    assert_eq!(parse_seconds("1.2.3"), None);
    assert_eq!(parse_seconds("99999999999999999999.1"), None);
}

proptest! {
    #[test]
    fn never_panics_on_any_string(s in any::<String>()) {
        let _ = parse_access_line(&s);
        let _ = parse_time_local(&s);
    }

    #[test]
    fn never_panics_on_near_misses(s in r#"[0-9. \-\[\]"/:+A-Za-z日,]{0,120}"#) {
        let _ = parse_access_line(&s);
    }

    #[test]
    fn round_trips_generated_lines(
        path in "/[a-z0-9/._-]{0,30}",
        status in 100u16..600,
        bytes in any::<u32>(),
        ua in "[A-Za-z0-9/. ()-]{0,30}",
        ip in "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
        ms in 0u32..100_000,
    ) {
        let line = format!(
            r#"10.0.1.9 - - [28/Nov/2026:14:02:11 +0000] "GET {path} HTTP/1.1" {status} {bytes} "-" "{ua}" "{ip}" {}.{:03}"#,
            ms / 1000, ms % 1000
        );
        let a = parse_access_line(&line).unwrap();
        prop_assert_eq!(a.path, path.as_str());
        prop_assert_eq!(a.status, status);
        prop_assert_eq!(a.bytes, u64::from(bytes));
        prop_assert_eq!(a.user_agent, ua.as_str());
        prop_assert_eq!(a.client, ip.as_str());
        let rt = a.request_time_s.unwrap();
        prop_assert!((rt - ms as f32 / 1000.0).abs() < 1e-3);
    }
}
