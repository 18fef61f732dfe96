//! The HTML report in a real browser: Debian's Chromium, headless, driven
//! by chromedriver over the W3C WebDriver protocol (plain HTTP and JSON,
//! spoken by the small client below). For the sample estate and for the
//! organization fixture: the page loads with no console error and no
//! network request, the charts are drawn, and filtering the findings table
//! by status shows exactly the outcomes of that status (checked in the DOM
//! after a scripted click). A screenshot of each is written under
//! `target/html-report/` for review.
//!
//! Two pages made for the purpose show that the checks can fail: one that
//! loads an image (a network request), one whose image the report's policy
//! blocks (a console error).
//!
//! `scripts/test` installs `chromium` and `chromium-driver` when missing
//! and sets `DYNAUDIT_TEST_CHROMEDRIVER` and `DYNAUDIT_TEST_CHROMIUM`;
//! without them these tests fail, they are not skipped.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_dynaudit");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tool(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run the suite with scripts/test, which installs Chromium and chromedriver")
    })
}

/// A chromedriver on a free loopback port, stopped on drop.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(tool("DYNAUDIT_TEST_CHROMEDRIVER"))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = Driver { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(status) = driver.try_call("GET", "/status", None)
                && status["value"]["ready"] == json!(true)
            {
                return driver;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// One WebDriver command: HTTP/1.1 with `Connection: close`.
    fn try_call(&self, method: &str, path: &str, body: Option<&Value>) -> std::io::Result<Value> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        let body = body.map(Value::to_string).unwrap_or_default();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        )?;
        // Read the head, then the body by its length (the driver may keep
        // the connection open whatever the request says).
        let mut raw = Vec::new();
        let mut buf = [0u8; 8192];
        let split = loop {
            if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                break at;
            }
            let n = stream.read(&mut buf)?;
            if n == 0 {
                return Err(std::io::Error::other(
                    "connection closed before the HTTP head",
                ));
            }
            raw.extend_from_slice(&buf[..n]);
        };
        let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
        let mut payload = raw[split + 4..].to_vec();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok());
        let chunked = head.contains("transfer-encoding: chunked");
        loop {
            let complete = match length {
                Some(length) => payload.len() >= length,
                None if chunked => payload.windows(5).any(|w| w == b"0\r\n\r\n"),
                None => false,
            };
            if complete {
                break;
            }
            let n = stream.read(&mut buf)?;
            if n == 0 {
                break;
            }
            payload.extend_from_slice(&buf[..n]);
        }
        if chunked {
            payload = dechunk(&payload);
        }
        serde_json::from_slice(&payload).map_err(std::io::Error::other)
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let value = self
            .try_call(method, path, body.as_ref())
            .unwrap_or_else(|err| panic!("{method} {path}: {err}"));
        assert!(
            value["value"].get("error").is_none(),
            "{method} {path}: {value}"
        );
        value["value"].clone()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..line_end]).trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            return out;
        }
        let start = line_end + 2;
        out.extend_from_slice(&data[start..start + size]);
        data = &data[start + size + 2..];
    }
}

/// A headless Chromium session, ended on drop.
struct Browser {
    driver: Driver,
    session: String,
}

impl Browser {
    fn open() -> Browser {
        let driver = Driver::start();
        let value = driver.call(
            "POST",
            "/session",
            Some(json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": tool("DYNAUDIT_TEST_CHROMIUM"),
                    "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                             "--disable-dev-shm-usage", "--window-size=1300,1800"]
                },
                "goog:loggingPrefs": {"browser": "ALL"}
            }}})),
        );
        let session = value["sessionId"].as_str().unwrap().to_owned();
        Browser { driver, session }
    }

    fn path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    fn visit(&self, file: &Path) {
        let url = format!("file://{}", file.canonicalize().unwrap().display());
        self.driver
            .call("POST", &self.path("/url"), Some(json!({"url": url})));
    }

    fn script(&self, script: &str) -> Value {
        self.driver.call(
            "POST",
            &self.path("/execute/sync"),
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Console messages at level SEVERE since the last call.
    fn console_errors(&self) -> Vec<String> {
        let entries = self.driver.call(
            "POST",
            &self.path("/se/log"),
            Some(json!({"type": "browser"})),
        );
        entries
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// What the page fetched besides itself.
    fn requests(&self) -> Vec<String> {
        self.script("return performance.getEntriesByType('resource').map(e => e.name);")
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    }

    fn click(&self, css: &str) {
        let element = self.driver.call(
            "POST",
            &self.path("/element"),
            Some(json!({"using": "css selector", "value": css})),
        );
        let id = element
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap()
            .to_owned();
        self.driver.call(
            "POST",
            &self.path(&format!("/element/{id}/click")),
            Some(json!({})),
        );
    }

    fn screenshot(&self, to: &Path) {
        use base64::Engine as _;
        let png = self.driver.call("GET", &self.path("/screenshot"), None);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        std::fs::write(to, bytes).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self
            .driver
            .try_call("DELETE", &format!("/session/{}", self.session), None);
    }
}

fn out_dir() -> PathBuf {
    let dir = root().join("target/html-report");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `dynaudit eval EVIDENCE --format html` into `target/html-report/NAME.html`,
/// and the same in JSON for the expected counts.
fn write_reports(evidence: &str, name: &str) -> (PathBuf, Value) {
    let html = out_dir().join(format!("{name}.html"));
    let json_path = out_dir().join(format!("{name}.json"));
    for (format, path) in [("html", &html), ("json", &json_path)] {
        let out = Command::new(BIN)
            .args([
                "eval",
                evidence,
                "--fail-on",
                "none",
                "--quiet",
                "--format",
                format,
                "-o",
            ])
            .arg(path)
            .current_dir(root())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    (html, report)
}

/// Rows of the findings table shown now, by `data-status`.
const VISIBLE: &str = "return Array.from(document.querySelectorAll('#findings tbody tr')).filter(r => !r.hidden).map(r => r.dataset.status);";

fn check_page(browser: &Browser, html: &Path, report: &Value, name: &str) {
    browser.visit(html);
    assert_eq!(browser.console_errors(), Vec::<String>::new(), "{name}");
    assert_eq!(browser.requests(), Vec::<String>::new(), "{name}");
    // The charts are drawn: the severity bar, a control chart per
    // framework with a row per control, and a bar per account and region.
    let charts = browser.script(
        "return {severity: document.querySelectorAll('#severity-bar rect').length, pci: document.querySelectorAll('#chart-pci-dss-4-0 g.chart-row').length, soc2: document.querySelectorAll('#chart-soc2 g.chart-row').length, accounts: document.querySelectorAll('#accounts svg.chart').length, regions: document.querySelectorAll('#regions svg.chart').length};",
    );
    assert!(
        charts["severity"].as_u64().unwrap() >= 2,
        "{name}: {charts}"
    );
    assert!(charts["pci"].as_u64().unwrap() >= 5, "{name}: {charts}");
    assert!(charts["soc2"].as_u64().unwrap() >= 3, "{name}: {charts}");
    assert!(
        charts["accounts"].as_u64().unwrap() >= 1,
        "{name}: {charts}"
    );
    assert!(charts["regions"].as_u64().unwrap() >= 1, "{name}: {charts}");
    // The counts on the page are the report's.
    let failing = browser.script("return document.getElementById('count-fail').textContent;");
    let by_status = &report["summary"]["by_status"];
    assert_eq!(failing, json!(by_status["fail"].to_string()), "{name}");

    // Filter by status with a click on the option; only unknown rows stay.
    let all = browser.script(VISIBLE).as_array().unwrap().len();
    browser.click("#filter-status option[value='unknown']");
    let shown = browser.script(VISIBLE);
    let shown: Vec<&str> = shown
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let unknown = by_status["unknown"].as_u64().unwrap() as usize;
    assert_eq!(shown.len(), unknown, "{name}: {shown:?}");
    assert!(shown.iter().all(|s| *s == "unknown"), "{name}: {shown:?}");
    let count = browser.script("return document.getElementById('shown-count').textContent;");
    assert_eq!(count, json!(unknown.to_string()), "{name}");
    browser.screenshot(&out_dir().join(format!("{name}-unknown.png")));
    browser.click("#filter-reset");
    assert_eq!(
        browser.script(VISIBLE).as_array().unwrap().len(),
        all,
        "{name}"
    );
    browser.script("window.scrollTo(0, 0); return null;");
    browser.screenshot(&out_dir().join(format!("{name}.png")));
    assert_eq!(browser.console_errors(), Vec::<String>::new(), "{name}");
    assert_eq!(browser.requests(), Vec::<String>::new(), "{name}");
}

#[test]
fn html_reports_load_clean_draw_charts_and_filter_in_chromium() {
    let browser = Browser::open();
    let (html, report) = write_reports("fixtures/sample-estate.json", "sample-estate");
    check_page(&browser, &html, &report, "sample-estate");
    let (html, report) = write_reports("fixtures/organization", "organization");
    check_page(&browser, &html, &report, "organization");
    let accounts = browser.script("return document.querySelectorAll('#accounts tbody tr').length;");
    assert_eq!(
        accounts,
        json!(report["scope"]["accounts"].as_array().unwrap().len()),
        "a row per account of the organization"
    );

    // The checks can fail: a page that fetches an image is seen fetching,
    // and under the report's own policy the same fetch is a console error.
    let dir = tempfile::tempdir().unwrap();
    let fetching = dir.path().join("fetching.html");
    std::fs::write(
        &fetching,
        "<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:9/x.png\"></body></html>",
    )
    .unwrap();
    browser.visit(&fetching);
    assert!(!browser.requests().is_empty(), "a fetch is seen");
    let _ = browser.console_errors();
    let blocked = dir.path().join("blocked.html");
    let text = std::fs::read_to_string(&html).unwrap();
    let policy = text
        .split("Content-Security-Policy\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    std::fs::write(
        &blocked,
        format!("<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\"></head><body><img src=\"http://127.0.0.1:9/x.png\"></body></html>"),
    )
    .unwrap();
    browser.visit(&blocked);
    let errors = browser.console_errors();
    assert!(
        errors.iter().any(|e| e.contains("Content Security Policy")),
        "a blocked fetch is a console error: {errors:?}"
    );
}
