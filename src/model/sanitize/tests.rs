//! Unit and property tests of the sanitiser; they must not test anything else.

use super::*;
use proptest::prelude::*;

fn has_no_control_or_format(s: &str) -> bool {
    !s.chars().any(is_control_or_format)
}

#[test]
fn printable_ascii_is_unchanged() {
    let s = r#"10.0.1.200 - - [28/Nov/2026:14:02:11 +0000] "GET / HTTP/1.1" 200 5 "-" "curl""#;
    assert_eq!(sanitize_line(s), s);
    assert_eq!(sanitize_line(""), "");
}

#[test]
fn japanese_emoji_and_brackets_are_unchanged() {
    for s in ["日本語のログ", "[brackets] {braces} <angles>", "デプロイ 🚀 完了 ✅", "naïve café – ok"]
    {
        assert_eq!(sanitize_line(s), s);
    }
}

#[test]
fn tab_becomes_one_space() {
    assert_eq!(sanitize_line("a\tb\t\tc"), "a b  c");
}

#[test]
fn c0_controls_and_del_become_control_pictures() {
    assert_eq!(sanitize_line("a\0b"), "a␀b");
    assert_eq!(sanitize_line("bell\x07"), "bell␇");
    assert_eq!(sanitize_line("x\x7fy"), "x␡y");
    assert_eq!(sanitize_line("back\x08space"), "back␈space");
    assert_eq!(sanitize_line("one\ntwo"), "one␊two");
    assert_eq!(sanitize_line("cr\rhere"), "cr␍here");
}

#[test]
fn csi_sequences_show_their_body() {
    assert_eq!(sanitize_line("\x1b[31mred\x1b[0m"), "␛[31mred␛[0m");
    assert_eq!(sanitize_line("\x1b[2J\x1b[H"), "␛[2J␛[H");
    assert_eq!(sanitize_line("\x1b[?1049h"), "␛[?1049h");
    // Unfinished CSI at the end, or broken by a control.
    assert_eq!(sanitize_line("x\x1b[31"), "x␛[31");
    assert_eq!(sanitize_line("\x1b[3\x07m"), "␛[3␇m");
}

#[test]
fn osc_8_hyperlink_and_osc_52_clipboard_are_visible() {
    let link = "\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07";
    assert_eq!(sanitize_line(link), "␛]8;;http://evil.example/␇click␛]8;;␇");
    let clip = "\x1b]52;c;cm0gLXJmIC8=\x1b\\";
    assert_eq!(sanitize_line(clip), "␛]52;c;cm0gLXJmIC8=␛\\");
    let title = "\x1b]0;pwned";
    assert_eq!(sanitize_line(title), "␛]0;pwned");
}

#[test]
fn dcs_sos_pm_apc_are_visible() {
    assert_eq!(sanitize_line("\x1bPq#0;2;0;0;0\x1b\\"), "␛Pq#0;2;0;0;0␛\\");
    assert_eq!(sanitize_line("\x1bXsos\x1b\\"), "␛Xsos␛\\");
    assert_eq!(sanitize_line("\x1b^pm\x1b\\"), "␛^pm␛\\");
    assert_eq!(sanitize_line("\x1b_apc\x1b\\"), "␛_apc␛\\");
    // A control inside a string body is tokenised too; an ESC inside starts its own sequence.
    assert_eq!(sanitize_line("\x1bPa\x01b\x1b[1m"), "␛Pa␁b␛[1m");
}

#[test]
fn two_byte_escapes_and_lone_esc() {
    assert_eq!(sanitize_line("\x1b(B"), "␛(B");
    assert_eq!(sanitize_line("\x1bc"), "␛c");
    assert_eq!(sanitize_line("\x1b7\x1b8"), "␛7␛8");
    assert_eq!(sanitize_line("\x1b"), "␛");
    assert_eq!(sanitize_line("\x1b\x1b"), "␛␛");
    assert_eq!(sanitize_line("\x1b\té"), "␛ é");
    assert_eq!(sanitize_line("\x1bé"), "␛é");
}

#[test]
fn c1_bidi_zero_width_and_bom_become_code_point_tokens() {
    assert_eq!(sanitize_line("a\u{9b}31m"), "a<U+009B>31m");
    assert_eq!(sanitize_line("\u{85}"), "<U+0085>");
    assert_eq!(sanitize_line("user\u{202E}gpj.exe"), "user<U+202E>gpj.exe");
    assert_eq!(sanitize_line("\u{2066}x\u{2069}"), "<U+2066>x<U+2069>");
    assert_eq!(sanitize_line("a\u{200B}b\u{200D}c\u{2060}d"), "a<U+200B>b<U+200D>c<U+2060>d");
    assert_eq!(sanitize_line("\u{FEFF}start"), "<U+FEFF>start");
    assert_eq!(sanitize_line("\u{200E}\u{200F}\u{061C}"), "<U+200E><U+200F><U+061C>");
    assert_eq!(sanitize_line("x\u{E0041}"), "x<U+E0041>");
    assert_eq!(sanitize_line("p\u{2028}q\u{2029}"), "p<U+2028>q<U+2029>");
}

#[test]
fn replacement_char_from_bad_utf8_survives() {
    let s = String::from_utf8_lossy(b"bad \xff\xfe bytes").into_owned();
    assert_eq!(sanitize_line(&s), s);
}

#[test]
fn format_table_matches_unicode_15_cf() {
    let cf = [
        0xAD, 0x600, 0x605, 0x61C, 0x6DD, 0x70F, 0x890, 0x891, 0x8E2, 0x180E, 0x200B, 0x200F, 0x202A, 0x202E, 0x2060,
        0x2064, 0x2066, 0x206F, 0xFEFF, 0xFFF9, 0xFFFB, 0x110BD, 0x110CD, 0x13430, 0x1343F, 0x1BCA0, 0x1BCA3, 0x1D173,
        0x1D17A, 0xE0001, 0xE0020, 0xE007F,
    ];
    for cp in cf {
        let c = char::from_u32(cp).unwrap();
        assert!(is_format_char(c), "U+{cp:04X} is Cf");
    }
    let not_cf = [
        0x41, 0xAC, 0xAE, 0x5FF, 0x606, 0x200A, 0x2010, 0x2029, 0x202F, 0x2065, 0x2070, 0xFEFE, 0xFF00, 0xFFFC, 0xFFFD,
        0x1F600, 0xE0000, 0xE0002, 0xE0080, 0x10FFFF,
    ];
    for cp in not_cf {
        let c = char::from_u32(cp).unwrap();
        assert!(!is_format_char(c), "U+{cp:04X} is not Cf");
    }
    // The table is sorted and non-overlapping (the lookup relies on it).
    assert!(FORMAT_CHARS.windows(2).all(|w| w[0].1 < w[1].0));
}

#[test]
fn lines_split_on_lf_crlf_and_lone_cr() {
    assert_eq!(sanitize_lines("a\nb\r\nc\rd"), ["a", "b", "c", "d"]);
    assert_eq!(sanitize_lines("one\n"), ["one"]);
    assert_eq!(sanitize_lines("one\n\ntwo"), ["one", "", "two"]);
    assert_eq!(sanitize_lines(""), [""]);
    assert_eq!(sanitize_lines("\n"), [""]);
    assert_eq!(sanitize_lines("\r\n\r\n"), ["", ""]);
    assert_eq!(sanitize_lines("x\t\x1b[1m\ny"), ["x ␛[1m", "y"]);
}

#[test]
fn sanitize_line_into_appends() {
    let mut out = String::from("> ");
    sanitize_line_into("a\x1b[0m", &mut out);
    sanitize_line_into("b", &mut out);
    assert_eq!(out, "> a␛[0mb");
}

fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        2 => prop::sample::select(vec![
            '\x1b', '[', ']', '\\', '\x07', 'P', 'X', '^', '_', ';', '8', 'm', '\t', '\n', '\r',
            '\u{9b}', '\u{9c}', '\u{202e}', '\u{200d}', '\u{feff}', '\u{7f}', '\0', 'é', '日',
            '\u{2028}', '(', 'B', ' ',
        ]),
        2 => prop::char::range(' ', '~'),
    ]
}

fn hostile_string() -> impl Strategy<Value = String> {
    prop::collection::vec(hostile_char(), 0..80).prop_map(|v| v.into_iter().collect())
}

proptest! {
    #[test]
    fn output_has_no_control_or_format_chars(s in hostile_string()) {
        let out = sanitize_line(&s);
        prop_assert!(has_no_control_or_format(&out), "{:?} -> {:?}", s, out);
        for line in sanitize_lines(&s) {
            prop_assert!(has_no_control_or_format(&line));
        }
    }

    #[test]
    fn sanitising_is_idempotent(s in hostile_string()) {
        let once = sanitize_line(&s);
        prop_assert_eq!(sanitize_line(&once), once.clone());
        for line in sanitize_lines(&s) {
            prop_assert_eq!(sanitize_line(&line), line.clone());
        }
    }

    #[test]
    fn any_string_is_safe(s in any::<String>()) {
        let out = sanitize_line(&s);
        prop_assert!(has_no_control_or_format(&out));
        prop_assert_eq!(sanitize_line(&out), out.clone());
    }

    #[test]
    fn printable_text_is_unchanged(s in "[ -~日本語のログ🚀é\\[\\]]{0,60}") {
        prop_assert_eq!(sanitize_line(&s), s);
    }

    #[test]
    fn lines_match_raw_split(s in hostile_string()) {
        let raw: Vec<&str> = split_lines(&s).collect();
        let lines = sanitize_lines(&s);
        prop_assert_eq!(raw.len(), lines.len());
        prop_assert!(!lines.is_empty());
        for line in &lines {
            prop_assert!(!line.contains('\n') && !line.contains('\r'));
        }
    }
}
