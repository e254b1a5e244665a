//! The attack probes a WordPress site sees every day, each with the AWS managed rule (group and
//! rule name within it) that blocks it, and the everyday pages real visitors ask for.

/// One kind of probe and the managed rule that blocks it.
pub struct Probe {
    pub method: &'static str,
    pub uri: &'static str,
    pub user_agent: &'static str,
    /// Index into `MANAGED_GROUPS` (WordPress, PHP, SQLi, Core).
    pub group: usize,
    pub rule: &'static str,
    /// Relative frequency.
    pub weight: u32,
}

pub const PROBES: [Probe; 12] = [
    Probe {
        method: "POST",
        uri: "/xmlrpc.php",
        user_agent: "Mozilla/5.0 (compatible; WPScan)",
        group: 0,
        rule: "WordPressExploitablePaths_URIPATH",
        weight: 30,
    },
    Probe {
        method: "GET",
        uri: "/wp-admin/admin-ajax.php",
        user_agent: "Mozilla/5.0",
        group: 0,
        rule: "WordPressExploitableCommands_QUERYSTRING",
        weight: 6,
    },
    Probe {
        method: "GET",
        uri: "/index.php",
        user_agent: "Mozilla/5.0",
        group: 1,
        rule: "PHPHighRiskMethodsVariables_QUERYSTRING",
        weight: 3,
    },
    Probe {
        method: "POST",
        uri: "/wp-login.php",
        user_agent: "Mozilla/5.0",
        group: 1,
        rule: "PHPHighRiskMethodsVariables_BODY",
        weight: 2,
    },
    Probe { method: "GET", uri: "/", user_agent: "Mozilla/5.0", group: 2, rule: "SQLi_QUERYARGUMENTS", weight: 6 },
    Probe {
        method: "GET",
        uri: "/wp-json/wp/v2/posts",
        user_agent: "python-requests/2.32",
        group: 2,
        rule: "SQLiExtendedPatterns_QUERYARGUMENTS",
        weight: 3,
    },
    Probe {
        method: "POST",
        uri: "/wp-comments-post.php",
        user_agent: "Mozilla/5.0",
        group: 2,
        rule: "SQLi_BODY",
        weight: 2,
    },
    Probe {
        method: "GET",
        uri: "/wp-config.php.bak",
        user_agent: "Mozilla/5.0",
        group: 3,
        rule: "RestrictedExtensions_URIPATH",
        weight: 8,
    },
    Probe { method: "GET", uri: "/.env", user_agent: "", group: 3, rule: "NoUserAgent_HEADER", weight: 6 },
    Probe {
        method: "GET",
        uri: "/wp-login.php",
        user_agent: "sqlmap/1.8.2#stable",
        group: 3,
        rule: "UserAgent_BadBots_HEADER",
        weight: 5,
    },
    Probe {
        method: "GET",
        uri: "/wp-content/plugins/download.php",
        user_agent: "Mozilla/5.0",
        group: 3,
        rule: "GenericLFI_QUERYARGUMENTS",
        weight: 4,
    },
    Probe {
        method: "POST",
        uri: "/wp-comments-post.php",
        user_agent: "Mozilla/5.0",
        group: 3,
        rule: "CrossSiteScripting_BODY",
        weight: 3,
    },
];

/// Clients that probe: a few noisy ones, so that "top IPs" means something.
pub const PROBE_CLIENTS: [(&str, &str, u32); 6] = [
    ("203.0.113.7", "NL", 40),
    ("198.51.100.23", "US", 20),
    ("192.0.2.144", "CN", 15),
    ("203.0.113.91", "RU", 10),
    ("198.51.100.201", "BR", 8),
    ("192.0.2.17", "VN", 7),
];

/// A page visitors ask for: path, whether PHP runs, typical status and bytes.
pub struct Page {
    pub path: &'static str,
    pub php: bool,
    pub status: u16,
    pub bytes: u32,
    pub weight: u32,
}

pub const PAGES: [Page; 11] = [
    Page { path: "/", php: true, status: 200, bytes: 48_213, weight: 20 },
    Page { path: "/2026/11/hello-world/", php: true, status: 200, bytes: 36_877, weight: 14 },
    Page { path: "/category/news/", php: true, status: 200, bytes: 29_554, weight: 6 },
    Page { path: "/wp-json/wp/v2/posts?per_page=10", php: true, status: 200, bytes: 18_102, weight: 5 },
    Page { path: "/feed/", php: true, status: 200, bytes: 9_840, weight: 4 },
    Page { path: "/wp-login.php", php: true, status: 200, bytes: 4_417, weight: 3 },
    Page { path: "/wp-content/uploads/2026/11/hero.jpg", php: false, status: 200, bytes: 182_331, weight: 12 },
    Page { path: "/wp-content/themes/twentytwentyfive/style.css", php: false, status: 304, bytes: 0, weight: 10 },
    Page { path: "/wp-includes/js/jquery/jquery.min.js", php: false, status: 304, bytes: 0, weight: 8 },
    Page { path: "/about/", php: true, status: 301, bytes: 0, weight: 2 },
    Page { path: "/old-page.html", php: true, status: 404, bytes: 12_004, weight: 3 },
];

pub const USER_AGENTS: [&str; 5] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
];

/// Picks an index by weight, given a uniform number in `0..total`.
pub fn pick_weighted(weights: impl Iterator<Item = u32>, mut roll: u32) -> usize {
    for (i, w) in weights.enumerate() {
        if roll < w {
            return i;
        }
        roll -= w;
    }
    0
}
