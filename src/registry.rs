//! The built-in status-code registry: what every code means.
//!
//! The table is compiled into the binary (no file to ship or find at run time)
//! and mirrors every row of `shared/registry/status-codes.tsv`; the reason
//! phrases, kinds, `defined_by` and former names are the TSV's, the one-line
//! descriptions are written for an operator reading an access-log report.
//!
//! A code that two parties use differently (103, 420, 451, 530) has one entry
//! per meaning, adjacent, the standard (or first-listed) meaning first; that
//! leading entry's description also names the other use, so a report that
//! shows only [`lookup`] still warns the reader.

use crate::lang::Lang;
pub use crate::status::Class;

/// Standing of a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Standard,
    Deprecated,
    Unused,
    Experimental,
    NonStandard,
}

impl Kind {
    /// `standard`, `deprecated`, `unused`, `experimental`, `non-standard`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Standard => "standard",
            Kind::Deprecated => "deprecated",
            Kind::Unused => "unused",
            Kind::Experimental => "experimental",
            Kind::NonStandard => "non-standard",
        }
    }
}

/// One registry entry.
#[derive(Debug)]
pub struct Entry {
    pub code: u16,
    pub reason: &'static str,
    pub reason_zh: &'static str,
    pub kind: Kind,
    /// RFC section or vendor, e.g. `RFC 9110 §15.5.5`, `nginx`.
    pub defined_by: &'static str,
    /// Short name of who emits a non-standard code, for table markers (`nginx`,
    /// `Cloudflare`, `AWS ELB`). Empty for codes that come from an IETF
    /// document (standard, but also deprecated, unused or draft codes such as
    /// 102, 305, 104), because no single product is behind them.
    pub vendor: &'static str,
    pub former_names: &'static [&'static str],
    pub en: &'static str,
    pub zh: &'static str,
}

impl Entry {
    pub fn reason(&self, lang: Lang) -> &'static str {
        lang.pick(self.reason, self.reason_zh)
    }
    pub fn description(&self, lang: Lang) -> &'static str {
        lang.pick(self.en, self.zh)
    }
    pub fn class(&self) -> Option<Class> {
        Class::of(self.code)
    }
}

/// Builds one [`Entry`]; keeps the table to one readable block per code.
macro_rules! entry {
    ($code:expr, $reason:expr, $reason_zh:expr, $kind:ident, $by:expr, $vendor:expr,
     [$($former:expr),*], $en:expr, $zh:expr $(,)?) => {
        Entry {
            code: $code,
            reason: $reason,
            reason_zh: $reason_zh,
            kind: Kind::$kind,
            defined_by: $by,
            vendor: $vendor,
            former_names: &[$($former),*],
            en: $en,
            zh: $zh,
        }
    };
}

/// `code` value of [`NO_STATUS`]: outside 0–999 so it can never collide with a
/// real code (code 0 is the real `000`), and [`Class::of`] gives it no class.
pub const NO_STATUS_CODE: u16 = u16::MAX;

/// The no-status bucket: lines whose status field is `-` (the TSV's `-` row).
/// It is not a status code, so it is neither in [`entries`] nor reachable by
/// [`lookup`]; its `code` is [`NO_STATUS_CODE`] and is never printed as a
/// number (output shows `-`).
pub static NO_STATUS: Entry = entry!(
    NO_STATUS_CODE,
    "(no status)",
    "（无状态）",
    NonStandard,
    "AWS ELB (ALB); IIS W3C logs",
    "AWS ELB",
    [],
    "The status field held '-': no response status was recorded (ALB target_status_code when no target answered, IIS empty fields); counted apart from requests.",
    "状态字段为“-”：没有记录响应状态（如 ALB 未连上后端时的 target_status_code、IIS 的空字段）；不计入请求数。",
);

/// The table, ascending by code. A `const` (not only a `static`) so that
/// [`INDEX`] can be computed from it at compile time.
const TABLE: &[Entry] = &[
    entry!(
        0,
        "(no status)",
        "（无状态）",
        NonStandard,
        "nginx; Amazon CloudFront; AWS ELB (ALB); Caddy (per GoAccess)",
        "nginx",
        [],
        "Logged as 000: the connection ended before any status was set, usually the client went away first (nginx, CloudFront viewer close, ALB on HTTP/2 GOAWAY; Caddy for unhandled requests).",
        "记录为 000：连接在设置任何状态前就结束了，通常是客户端先离开（nginx、CloudFront 访客断开、ALB 的 HTTP/2 GOAWAY；Caddy 未处理的请求）。"
    ),
    entry!(
        100,
        "Continue",
        "继续",
        Standard,
        "RFC 9110 §15.2.1",
        "",
        [],
        "Interim answer: the server accepted the request headers and the client may send the body.",
        "临时响应：服务器已接受请求头，客户端可以继续发送请求体。"
    ),
    entry!(
        101,
        "Switching Protocols",
        "切换协议",
        Standard,
        "RFC 9110 §15.2.2",
        "",
        [],
        "The server agreed to an Upgrade request; in access logs this is typically a WebSocket handshake.",
        "服务器同意了 Upgrade 请求；在访问日志中通常是 WebSocket 握手。"
    ),
    entry!(
        102,
        "Processing",
        "处理中",
        Deprecated,
        "RFC 2518 §10.1",
        "",
        [],
        "Old WebDAV interim answer meaning 'still working on it'; dropped by RFC 4918 and rarely seen today.",
        "旧 WebDAV 临时响应，表示“仍在处理”；已被 RFC 4918 删除，如今很少见。"
    ),
    entry!(
        103,
        "Early Hints",
        "早期提示",
        Standard,
        "RFC 8297 §2",
        "",
        [],
        "Interim answer carrying Link headers so the browser can preload resources before the final response (Google Gears and Spring also used 103 for Checkpoint).",
        "临时响应，携带 Link 头，让浏览器在最终响应前预加载资源（Google Gears 和 Spring 也曾把 103 用作 Checkpoint）。"
    ),
    entry!(
        103,
        "Checkpoint",
        "检查点",
        NonStandard,
        "Google Gears resumable-upload proposal; Spring HttpStatus.CHECKPOINT",
        "Spring",
        [],
        "Older non-standard use of 103 for resumable uploads; clashes with Early Hints and is deprecated in Spring.",
        "103 的旧式非标准用法，用于可续传上传；与“早期提示”冲突，Spring 已将其弃用。"
    ),
    entry!(
        104,
        "Upload Resumption Supported",
        "支持上传续传",
        Experimental,
        "draft-ietf-httpbis-resumable-upload-05 (IANA temporary)",
        "",
        [],
        "Interim answer from the IETF resumable-upload draft telling the client the upload can be resumed; only temporarily registered.",
        "IETF 可续传上传草案中的临时响应，告诉客户端上传可以续传；仅为临时注册。"
    ),
    entry!(
        200,
        "OK",
        "成功",
        Standard,
        "RFC 9110 §15.3.1",
        "",
        [],
        "The request succeeded and the response carries the result.",
        "请求已成功，响应中带有结果。"
    ),
    entry!(
        201,
        "Created",
        "已创建",
        Standard,
        "RFC 9110 §15.3.2",
        "",
        [],
        "The request succeeded and created a new resource, typically after a POST or PUT.",
        "请求成功并创建了新资源，通常出现在 POST 或 PUT 之后。"
    ),
    entry!(
        202,
        "Accepted",
        "已接受",
        Standard,
        "RFC 9110 §15.3.3",
        "",
        [],
        "The request was queued for processing, but the work is not finished yet.",
        "请求已进入处理队列，但工作尚未完成。"
    ),
    entry!(
        203,
        "Non-Authoritative Information",
        "非权威信息",
        Standard,
        "RFC 9110 §15.3.4",
        "",
        [],
        "Success, but a proxy changed the payload it received from the origin.",
        "成功，但代理修改了从源站收到的内容。"
    ),
    entry!(
        204,
        "No Content",
        "无内容",
        Standard,
        "RFC 9110 §15.3.5",
        "",
        [],
        "Success with no body at all; common for API updates, deletes and beacons.",
        "成功且没有响应体；常见于 API 更新、删除和埋点上报。"
    ),
    entry!(
        205,
        "Reset Content",
        "重置内容",
        Standard,
        "RFC 9110 §15.3.6",
        "",
        [],
        "Success; the client should clear the form or view that sent the request.",
        "成功；客户端应清空发起请求的表单或视图。"
    ),
    entry!(
        206,
        "Partial Content",
        "部分内容",
        Standard,
        "RFC 9110 §15.3.7",
        "",
        [],
        "Only the requested byte range was sent: resumed downloads or media seeking.",
        "只发送了请求的字节范围：断点续传或音视频拖动播放。"
    ),
    entry!(
        207,
        "Multi-Status",
        "多状态",
        Standard,
        "RFC 4918 §11.1",
        "",
        [],
        "WebDAV: the body holds a separate status for each of several resources.",
        "WebDAV：响应体中为多个资源分别给出状态。"
    ),
    entry!(
        208,
        "Already Reported",
        "已报告",
        Standard,
        "RFC 5842 §7.1",
        "",
        [],
        "WebDAV bindings: members already listed earlier in the same multi-status reply are not repeated.",
        "WebDAV 绑定：已在同一多状态响应中列出的成员不再重复。"
    ),
    entry!(
        218,
        "This is fine",
        "一切安好",
        NonStandard,
        "unattributed (lists credit Apache httpd)",
        "unattributed",
        [],
        "Joke-style code said to pass an error through a proxy (mod_proxy ProxyErrorOverride); Apache httpd itself has no 218, so the origin is unclear.",
        "玩笑性质的代码，据称用于让代理透传错误（mod_proxy ProxyErrorOverride）；Apache httpd 本身没有 218，来源不明。"
    ),
    entry!(
        226,
        "IM Used",
        "已应用 IM",
        Standard,
        "RFC 3229 §10.4.1",
        "",
        [],
        "HTTP delta encoding: the body is a delta against a version the client already holds.",
        "HTTP 增量编码：响应体是相对客户端已有版本的差量。"
    ),
    entry!(
        300,
        "Multiple Choices",
        "多种选择",
        Standard,
        "RFC 9110 §15.4.1",
        "",
        [],
        "Several representations exist and the client has to pick one.",
        "存在多个可选表示，需要客户端自行选择。"
    ),
    entry!(
        301,
        "Moved Permanently",
        "永久移动",
        Standard,
        "RFC 9110 §15.4.2",
        "",
        [],
        "Permanent redirect; clients and search engines should use the new URL (the method may change to GET).",
        "永久重定向；客户端和搜索引擎应改用新 URL（方法可能变为 GET）。"
    ),
    entry!(
        302,
        "Found",
        "已找到",
        Standard,
        "RFC 9110 §15.4.3",
        "",
        ["Moved Temporarily"],
        "Temporary redirect; the old URL stays valid. nginx still sends the HTTP/1.0 phrase Moved Temporarily.",
        "临时重定向；旧 URL 仍然有效。nginx 仍发送 HTTP/1.0 的短语 Moved Temporarily。"
    ),
    entry!(
        303,
        "See Other",
        "查看其他",
        Standard,
        "RFC 9110 §15.4.4",
        "",
        [],
        "Redirect to another URL fetched with GET, typically after a form POST.",
        "重定向到另一个用 GET 获取的 URL，通常在表单 POST 之后。"
    ),
    entry!(
        304,
        "Not Modified",
        "未修改",
        Standard,
        "RFC 9110 §15.4.5",
        "",
        [],
        "Conditional request hit: the client's cached copy is still current, so no body was sent.",
        "条件请求命中：客户端缓存仍然有效，因此没有发送响应体。"
    ),
    entry!(
        305,
        "Use Proxy",
        "使用代理",
        Deprecated,
        "RFC 9110 §15.4.6",
        "",
        [],
        "Asked the client to go through a proxy; deprecated for security reasons and not sent by nginx.",
        "要求客户端通过代理访问；出于安全原因已弃用，nginx 不会发送。"
    ),
    entry!(
        306,
        "(Unused)",
        "（未使用）",
        Unused,
        "RFC 9110 §15.4.7",
        "",
        ["Switch Proxy"],
        "Reserved with no meaning (an early draft called it Switch Proxy); seeing it in a log points to a broken client or server.",
        "保留但无含义（早期草案称为 Switch Proxy）；在日志中出现说明客户端或服务器有问题。"
    ),
    entry!(
        307,
        "Temporary Redirect",
        "临时重定向",
        Standard,
        "RFC 9110 §15.4.8",
        "",
        [],
        "Temporary redirect that keeps the method and body, unlike 302.",
        "临时重定向，与 302 不同，保持请求方法和请求体不变。"
    ),
    entry!(
        308,
        "Permanent Redirect",
        "永久重定向",
        Standard,
        "RFC 9110 §15.4.9 (orig. RFC 7538 §3)",
        "",
        [],
        "Permanent redirect that keeps the method and body, unlike 301 (Google upload APIs reuse 308 as Resume Incomplete).",
        "永久重定向，与 301 不同，保持请求方法和请求体不变（Google 上传 API 把 308 用作 Resume Incomplete）。"
    ),
    entry!(
        400,
        "Bad Request",
        "错误请求",
        Standard,
        "RFC 9110 §15.5.1",
        "",
        [],
        "The server could not parse or accept the request; nginx also logs 400 for its internal 494-497 cases (oversized headers, TLS client-certificate problems).",
        "服务器无法解析或接受该请求；nginx 的内部情况 494-497（请求头过大、客户端证书问题）也记录为 400。"
    ),
    entry!(
        401,
        "Unauthorized",
        "未授权",
        Standard,
        "RFC 9110 §15.5.2",
        "",
        [],
        "Not authenticated: credentials are missing or wrong (IIS logs the precise cause in sc-substatus).",
        "未认证：缺少凭据或凭据错误（IIS 在 sc-substatus 中记录具体原因）。"
    ),
    entry!(
        402,
        "Payment Required",
        "需要付款",
        Standard,
        "RFC 9110 §15.5.3",
        "",
        [],
        "Reserved for future use by the RFC; in practice some services (e.g. Shopify for frozen shops) send it for billing problems.",
        "RFC 将其保留供将来使用；实际中一些服务（如 Shopify 冻结店铺）用它表示计费问题。"
    ),
    entry!(
        403,
        "Forbidden",
        "禁止访问",
        Standard,
        "RFC 9110 §15.5.4",
        "",
        [],
        "The server understood the request but refuses it; also what ALB logs when AWS WAF blocks a request.",
        "服务器理解请求但拒绝执行；AWS WAF 拦截请求时 ALB 也记录此代码。"
    ),
    entry!(
        404,
        "Not Found",
        "未找到",
        Standard,
        "RFC 9110 §15.5.5",
        "",
        [],
        "Nothing exists at this URL; spikes often mean broken links or scanners probing paths.",
        "该 URL 下没有内容；激增通常意味着死链或扫描器在探测路径。"
    ),
    entry!(
        405,
        "Method Not Allowed",
        "方法不允许",
        Standard,
        "RFC 9110 §15.5.6",
        "",
        [],
        "The resource exists but does not accept this HTTP method (nginx's phrase is just Not Allowed).",
        "资源存在，但不接受该 HTTP 方法（nginx 的短语仅为 Not Allowed）。"
    ),
    entry!(
        406,
        "Not Acceptable",
        "不可接受",
        Standard,
        "RFC 9110 §15.5.7",
        "",
        [],
        "No representation matches the client's Accept headers.",
        "没有符合客户端 Accept 请求头的表示。"
    ),
    entry!(
        407,
        "Proxy Authentication Required",
        "需要代理认证",
        Standard,
        "RFC 9110 §15.5.8",
        "",
        [],
        "Like 401, but the client must authenticate to the proxy in between.",
        "与 401 类似，但客户端需要向中间代理认证。"
    ),
    entry!(
        408,
        "Request Timeout",
        "请求超时",
        Standard,
        "RFC 9110 §15.5.9",
        "",
        ["Request Time-out"],
        "The client took too long to send its request and the server gave up on the connection.",
        "客户端发送请求太慢，服务器放弃了该连接。"
    ),
    entry!(
        409,
        "Conflict",
        "冲突",
        Standard,
        "RFC 9110 §15.5.10",
        "",
        [],
        "The request clashes with the resource's current state, e.g. an edit conflict.",
        "请求与资源当前状态冲突，例如编辑冲突。"
    ),
    entry!(
        410,
        "Gone",
        "已消失",
        Standard,
        "RFC 9110 §15.5.11",
        "",
        [],
        "The resource was removed on purpose and will not come back.",
        "资源已被有意删除，不会再恢复。"
    ),
    entry!(
        411,
        "Length Required",
        "需要内容长度",
        Standard,
        "RFC 9110 §15.5.12",
        "",
        [],
        "The server refuses a body sent without a Content-Length.",
        "服务器拒绝没有 Content-Length 的请求体。"
    ),
    entry!(
        412,
        "Precondition Failed",
        "前提条件失败",
        Standard,
        "RFC 9110 §15.5.13",
        "",
        [],
        "A conditional header (If-Match, If-Unmodified-Since) did not hold, so nothing was changed.",
        "条件请求头（If-Match、If-Unmodified-Since）不成立，因此未做任何更改。"
    ),
    entry!(
        413,
        "Content Too Large",
        "内容过大",
        Standard,
        "RFC 9110 §15.5.14",
        "",
        ["Payload Too Large", "Request Entity Too Large"],
        "The request body exceeds the server's limit (nginx client_max_body_size); nginx and Apache still send the old phrase Request Entity Too Large.",
        "请求体超过服务器限制（如 nginx 的 client_max_body_size）；nginx 和 Apache 仍发送旧短语 Request Entity Too Large。"
    ),
    entry!(
        414,
        "URI Too Long",
        "URI 过长",
        Standard,
        "RFC 9110 §15.5.15",
        "",
        ["Request-URI Too Long", "Request-URI Too Large"],
        "The request target is longer than the server accepts, often a runaway query string or a scanner.",
        "请求目标比服务器允许的更长，常见于失控的查询字符串或扫描器。"
    ),
    entry!(
        415,
        "Unsupported Media Type",
        "不支持的媒体类型",
        Standard,
        "RFC 9110 §15.5.16",
        "",
        [],
        "The server does not accept the body's Content-Type or encoding.",
        "服务器不接受请求体的 Content-Type 或编码。"
    ),
    entry!(
        416,
        "Range Not Satisfiable",
        "范围无法满足",
        Standard,
        "RFC 9110 §15.5.17",
        "",
        ["Requested Range Not Satisfiable"],
        "The requested byte range lies outside the file, e.g. resuming a download that already finished.",
        "请求的字节范围超出了文件，例如续传一个已经下载完成的文件。"
    ),
    entry!(
        417,
        "Expectation Failed",
        "期望失败",
        Standard,
        "RFC 9110 §15.5.18",
        "",
        [],
        "The server cannot meet the request's Expect header.",
        "服务器无法满足请求中的 Expect 头。"
    ),
    entry!(
        418,
        "(Unused)",
        "（未使用）",
        Unused,
        "RFC 9110 §15.5.19 (orig. RFC 2324 §2.3.2; RFC 7168 §2.3.3)",
        "",
        ["I'm a teapot", "I'm a Teapot"],
        "The April-fools teapot code, reserved so nobody reassigns it; some apps return it deliberately to turn away bots.",
        "愚人节“我是茶壶”代码，被保留以免被重新分配；有些应用故意返回它来拒绝机器人。"
    ),
    entry!(
        419,
        "Page Expired",
        "页面已过期",
        NonStandard,
        "Laravel",
        "Laravel",
        [],
        "Laravel: the CSRF token was missing or expired, usually a form submitted after the session timed out.",
        "Laravel：CSRF 令牌缺失或过期，通常是会话超时后提交了表单。"
    ),
    entry!(
        420,
        "Enhance Your Calm",
        "冷静一下",
        NonStandard,
        "Twitter (API v1)",
        "Twitter",
        [],
        "Old Twitter API rate-limit answer, replaced by 429 (Spring also used 420 for Method Failure).",
        "旧版 Twitter API 的限流响应，后被 429 取代（Spring 也曾把 420 用作 Method Failure）。"
    ),
    entry!(
        420,
        "Method Failure",
        "方法失败",
        NonStandard,
        "Spring Framework (deprecated constant)",
        "Spring",
        [],
        "WebDAV-draft leftover kept as a deprecated Spring constant; Shopify sent 420 for locked shops until 2018.",
        "WebDAV 草案遗留，作为 Spring 的已弃用常量保留；Shopify 在 2018 年前用 420 表示店铺被锁定。"
    ),
    entry!(
        421,
        "Misdirected Request",
        "错误定向的请求",
        Standard,
        "RFC 9110 §15.5.20 (orig. RFC 7540 §9.1.2)",
        "",
        [],
        "A reused (often HTTP/2) connection reached a server that cannot answer for this host; the client should retry on a new connection.",
        "复用的连接（通常是 HTTP/2）到达了无法为该主机响应的服务器；客户端应使用新连接重试。"
    ),
    entry!(
        422,
        "Unprocessable Content",
        "无法处理的内容",
        Standard,
        "RFC 9110 §15.5.21 (orig. RFC 4918 §11.2)",
        "",
        ["Unprocessable Entity"],
        "The body is well-formed but fails validation, typical for API input errors.",
        "请求体格式正确但未通过校验，常见于 API 输入错误。"
    ),
    entry!(
        423,
        "Locked",
        "已锁定",
        Standard,
        "RFC 4918 §11.3",
        "",
        [],
        "WebDAV: the resource is locked; Shopify also uses it for locked shops.",
        "WebDAV：资源已被锁定；Shopify 也用它表示店铺被锁定。"
    ),
    entry!(
        424,
        "Failed Dependency",
        "依赖失败",
        Standard,
        "RFC 4918 §11.4",
        "",
        [],
        "WebDAV: this step failed because an earlier step it depended on failed.",
        "WebDAV：此操作因其依赖的前一操作失败而失败。"
    ),
    entry!(
        425,
        "Too Early",
        "为时过早",
        Standard,
        "RFC 8470 §5.2",
        "",
        [],
        "The server refused TLS 1.3 early data (0-RTT) because it could be replayed.",
        "服务器拒绝了可能被重放的 TLS 1.3 早期数据（0-RTT）。"
    ),
    entry!(
        426,
        "Upgrade Required",
        "需要升级",
        Standard,
        "RFC 9110 §15.5.22 (orig. RFC 2817 §6)",
        "",
        [],
        "The client must switch to the protocol named in the Upgrade header.",
        "客户端必须切换到 Upgrade 头中指定的协议。"
    ),
    entry!(
        428,
        "Precondition Required",
        "需要前提条件",
        Standard,
        "RFC 6585 §3",
        "",
        [],
        "The server insists on a conditional request to avoid lost updates.",
        "服务器要求使用条件请求，以避免更新丢失。"
    ),
    entry!(
        429,
        "Too Many Requests",
        "请求过多",
        Standard,
        "RFC 6585 §4",
        "",
        [],
        "Rate limited: the client sent too much too fast; Retry-After may say when to try again.",
        "被限流：客户端请求过多过快；Retry-After 可能给出重试时间。"
    ),
    entry!(
        430,
        "Shopify Security Rejection",
        "Shopify 安全拒绝",
        NonStandard,
        "Shopify",
        "Shopify",
        ["Request Header Fields Too Large"],
        "Shopify's security layer turned the request away; older lists used 430 for a Shopify rate-limit case.",
        "Shopify 的安全层拒绝了该请求；旧的列表曾把 430 用于 Shopify 的限流情况。"
    ),
    entry!(
        431,
        "Request Header Fields Too Large",
        "请求头字段过大",
        Standard,
        "RFC 6585 §5",
        "",
        [],
        "Headers (often cookies) are too big; nginx answers this case with 400 instead.",
        "请求头（常常是 Cookie）过大；nginx 对这种情况改用 400 响应。"
    ),
    entry!(
        440,
        "Login Time-out",
        "登录超时",
        NonStandard,
        "Microsoft IIS / Exchange Outlook Web Access",
        "IIS",
        [],
        "Outlook Web Access session expired; the user has to sign in again.",
        "Outlook Web Access 会话已过期，用户需要重新登录。"
    ),
    entry!(
        444,
        "No Response",
        "无响应",
        NonStandard,
        "nginx",
        "nginx",
        [],
        "nginx closed the connection without sending anything (return 444), usually to drop unwanted or malicious traffic.",
        "nginx 未发送任何内容就关闭了连接（return 444），通常用于丢弃不需要或恶意的流量。"
    ),
    entry!(
        449,
        "Retry With",
        "重试",
        NonStandard,
        "Microsoft MS-WDV §2.2.6",
        "Microsoft",
        ["Reply With"],
        "Microsoft WebDAV extension: the client should repeat the request with the information the server asked for.",
        "微软 WebDAV 扩展：客户端应带上服务器要求的信息重新发送请求。"
    ),
    entry!(
        450,
        "Blocked by Windows Parental Controls",
        "被 Windows 家长控制阻止",
        NonStandard,
        "Microsoft",
        "Microsoft",
        [],
        "Windows parental controls blocked access to the page.",
        "Windows 家长控制阻止了对该页面的访问。"
    ),
    entry!(
        451,
        "Unavailable For Legal Reasons",
        "因法律原因不可用",
        Standard,
        "RFC 7725 §3",
        "",
        [],
        "Blocked because of a legal demand such as a court order or censorship (Exchange ActiveSync also uses 451 for Redirect).",
        "因法律要求（如法院命令或审查）而被屏蔽（Exchange ActiveSync 也把 451 用作 Redirect）。"
    ),
    entry!(
        451,
        "Redirect",
        "重定向",
        NonStandard,
        "Microsoft Exchange ActiveSync (MS-ASHTTP §3.1.5.2.2)",
        "Exchange",
        [],
        "Exchange ActiveSync: the mobile client should use a better server, given in X-MS-Location.",
        "Exchange ActiveSync：移动客户端应改用 X-MS-Location 中给出的更合适的服务器。"
    ),
    entry!(
        460,
        "Client Closed Connection",
        "客户端关闭连接",
        NonStandard,
        "AWS ELB (ALB)",
        "AWS ELB",
        [],
        "AWS ALB: the client hung up before the load balancer's idle timeout, often a client-side timeout shorter than the backend's response time.",
        "AWS ALB：客户端在负载均衡器空闲超时前断开，常因客户端超时短于后端响应时间。"
    ),
    entry!(
        463,
        "X-Forwarded-For Too Many Addresses",
        "X-Forwarded-For 地址过多",
        NonStandard,
        "AWS ELB (ALB)",
        "AWS ELB",
        [],
        "AWS ALB rejected the request because X-Forwarded-For listed more than 30 addresses, often a proxy loop.",
        "AWS ALB 因 X-Forwarded-For 中超过 30 个地址而拒绝请求，常见原因是代理循环。"
    ),
    entry!(
        464,
        "Incompatible Protocol Version",
        "协议版本不兼容",
        NonStandard,
        "AWS ELB (ALB)",
        "AWS ELB",
        [],
        "AWS ALB: the request's protocol does not match the target group's (HTTP/1.1 versus gRPC or HTTP/2).",
        "AWS ALB：请求协议与目标组协议（HTTP/1.1 与 gRPC 或 HTTP/2）不匹配。"
    ),
    entry!(
        494,
        "Request Header Too Large",
        "请求头过大",
        NonStandard,
        "nginx",
        "nginx",
        [],
        "nginx-internal: request line, header or cookie was too large; normally sent and logged as 400.",
        "nginx 内部代码：请求行、请求头或 Cookie 过大；通常以 400 发送和记录。"
    ),
    entry!(
        495,
        "SSL Certificate Error",
        "SSL 证书错误",
        NonStandard,
        "nginx",
        "nginx",
        [],
        "nginx-internal: the client's TLS certificate failed verification; logged as 400 unless error_page changes it.",
        "nginx 内部代码：客户端 TLS 证书校验失败；除非 error_page 另行设置，否则记录为 400。"
    ),
    entry!(
        496,
        "SSL Certificate Required",
        "需要 SSL 证书",
        NonStandard,
        "nginx",
        "nginx",
        [],
        "nginx-internal: a client certificate is required (ssl_verify_client) but none was sent; logged as 400 unless error_page changes it.",
        "nginx 内部代码：要求客户端证书（ssl_verify_client）但未提供；除非 error_page 另行设置，否则记录为 400。"
    ),
    entry!(
        497,
        "HTTP Request Sent to HTTPS Port",
        "HTTP 请求发送到了 HTTPS 端口",
        NonStandard,
        "nginx",
        "nginx",
        [],
        "nginx-internal: plain HTTP arrived on a TLS port; logged as 400 unless error_page (often a redirect to https) changes it.",
        "nginx 内部代码：明文 HTTP 请求到达 TLS 端口；除非 error_page（常为跳转到 https）另行设置，否则记录为 400。"
    ),
    entry!(
        498,
        "Invalid Token",
        "令牌无效",
        NonStandard,
        "Esri ArcGIS",
        "ArcGIS",
        [],
        "ArcGIS: the access token is invalid or expired; usually inside a JSON error body while the wire status is 200.",
        "ArcGIS：访问令牌无效或已过期；通常出现在 JSON 错误体中，而实际 HTTP 状态为 200。"
    ),
    entry!(
        499,
        "Client Closed Request",
        "客户端关闭请求",
        NonStandard,
        "nginx",
        "nginx",
        [],
        "The client closed the connection before nginx sent a response, often a client-side timeout against a slow upstream or a user navigating away.",
        "客户端在 nginx 发送响应前关闭了连接，通常是上游太慢导致客户端超时，或用户离开了页面。"
    ),
    entry!(
        500,
        "Internal Server Error",
        "服务器内部错误",
        Standard,
        "RFC 9110 §15.6.1",
        "",
        [],
        "The application failed while handling the request; check the application's error log.",
        "应用在处理请求时出错；请检查应用的错误日志。"
    ),
    entry!(
        501,
        "Not Implemented",
        "未实现",
        Standard,
        "RFC 9110 §15.6.2",
        "",
        [],
        "The server does not support the method or feature the request needs.",
        "服务器不支持该请求所需的方法或功能。"
    ),
    entry!(
        502,
        "Bad Gateway",
        "错误网关",
        Standard,
        "RFC 9110 §15.6.3",
        "",
        [],
        "A proxy (nginx, ALB, Cloudflare) got an invalid or no usable answer from the upstream: crashed or restarting backend.",
        "代理（nginx、ALB、Cloudflare）从上游得到无效或不可用的响应：后端崩溃或正在重启。"
    ),
    entry!(
        503,
        "Service Unavailable",
        "服务不可用",
        Standard,
        "RFC 9110 §15.6.4",
        "",
        [],
        "Temporarily unable to serve: overload or maintenance; nginx limit_req/limit_conn rejections also log 503.",
        "暂时无法提供服务：过载或维护；nginx 的 limit_req/limit_conn 拒绝也记录为 503。"
    ),
    entry!(
        504,
        "Gateway Timeout",
        "网关超时",
        Standard,
        "RFC 9110 §15.6.5",
        "",
        ["Gateway Time-out"],
        "A proxy gave up waiting for the upstream to answer: slow backend or proxy timeout too short.",
        "代理等待上游响应超时：后端太慢或代理超时设置过短。"
    ),
    entry!(
        505,
        "HTTP Version Not Supported",
        "不支持的 HTTP 版本",
        Standard,
        "RFC 9110 §15.6.6",
        "",
        [],
        "The server refuses the HTTP version used in the request.",
        "服务器拒绝请求所用的 HTTP 版本。"
    ),
    entry!(
        506,
        "Variant Also Negotiates",
        "变体也在协商",
        Standard,
        "RFC 2295 §8.1",
        "",
        [],
        "Misconfigured transparent content negotiation: the chosen variant itself negotiates.",
        "透明内容协商配置错误：选中的变体本身又在进行协商。"
    ),
    entry!(
        507,
        "Insufficient Storage",
        "存储空间不足",
        Standard,
        "RFC 4918 §11.5",
        "",
        [],
        "WebDAV: the server has no room left to store what the request needs.",
        "WebDAV：服务器没有足够空间保存请求所需的内容。"
    ),
    entry!(
        508,
        "Loop Detected",
        "检测到循环",
        Standard,
        "RFC 5842 §7.2",
        "",
        [],
        "WebDAV bindings: the server found an infinite loop while processing the request.",
        "WebDAV 绑定：服务器在处理请求时发现了无限循环。"
    ),
    entry!(
        509,
        "Bandwidth Limit Exceeded",
        "超出带宽限制",
        NonStandard,
        "Apache bandwidth modules / cPanel",
        "cPanel",
        [],
        "Hosting panels and Apache bandwidth modules send it when the site used up its traffic quota.",
        "主机面板和 Apache 带宽模块在站点用完流量配额时发送。"
    ),
    entry!(
        510,
        "Not Extended",
        "未扩展",
        Deprecated,
        "RFC 2774 §7",
        "",
        [],
        "From the HTTP Extension Framework, now historic: the request lacks a required extension.",
        "来自已成为历史文档的 HTTP 扩展框架：请求缺少必需的扩展。"
    ),
    entry!(
        511,
        "Network Authentication Required",
        "需要网络认证",
        Standard,
        "RFC 6585 §6",
        "",
        [],
        "A captive portal (hotel, airport Wi-Fi) wants the user to log in before reaching the network.",
        "强制门户（酒店、机场 Wi-Fi）要求用户先登录才能访问网络。"
    ),
    entry!(
        520,
        "Web Server Returned an Unknown Error",
        "源站返回未知错误",
        NonStandard,
        "Cloudflare",
        "Cloudflare",
        [],
        "Cloudflare: the origin sent an empty, unknown or unexpected response.",
        "Cloudflare：源站返回了空的、未知的或意外的响应。"
    ),
    entry!(
        521,
        "Web Server Is Down",
        "源站已关闭",
        NonStandard,
        "Cloudflare",
        "Cloudflare",
        [],
        "Cloudflare: the origin refused the TCP connection; the web server is likely down or firewalled.",
        "Cloudflare：源站拒绝了 TCP 连接；Web 服务器可能已停止或被防火墙拦截。"
    ),
    entry!(
        522,
        "Connection Timed Out",
        "连接超时",
        NonStandard,
        "Cloudflare",
        "Cloudflare",
        [],
        "Cloudflare: the TCP handshake with the origin did not finish in time.",
        "Cloudflare：与源站的 TCP 握手未能及时完成。"
    ),
    entry!(
        523,
        "Origin Is Unreachable",
        "源站不可达",
        NonStandard,
        "Cloudflare",
        "Cloudflare",
        [],
        "Cloudflare: no route to the origin address, e.g. a wrong DNS record.",
        "Cloudflare：无法到达源站地址，例如 DNS 记录有误。"
    ),
    entry!(
        524,
        "A Timeout Occurred",
        "发生超时",
        NonStandard,
        "Cloudflare",
        "Cloudflare",
        [],
        "Cloudflare: connected to the origin, but no HTTP response arrived before the proxy read timeout (120 s by default).",
        "Cloudflare：已连接源站，但在代理读取超时（默认 120 秒）前没有收到 HTTP 响应。"
    ),
    entry!(
        525,
        "SSL Handshake Failed",
        "SSL 握手失败",
        NonStandard,
        "Cloudflare",
        "Cloudflare",
        [],
        "Cloudflare: the TLS handshake between Cloudflare and the origin failed.",
        "Cloudflare：Cloudflare 与源站之间的 TLS 握手失败。"
    ),
    entry!(
        526,
        "Invalid SSL Certificate",
        "SSL 证书无效",
        NonStandard,
        "Cloudflare",
        "Cloudflare",
        [],
        "Cloudflare: the origin's certificate did not validate (expired, self-signed or wrong host).",
        "Cloudflare：源站证书未通过校验（过期、自签名或主机名不符）。"
    ),
    entry!(
        527,
        "Railgun Error",
        "Railgun 错误",
        NonStandard,
        "Cloudflare (obsolete)",
        "Cloudflare",
        [],
        "Cloudflare Railgun (retired) could not reach the origin; only expected in old logs.",
        "Cloudflare Railgun（已停用）无法连接源站；只应出现在旧日志中。"
    ),
    entry!(
        529,
        "Site is overloaded",
        "站点过载",
        NonStandard,
        "Qualys SSL Labs API; Anthropic API",
        "Qualys",
        [],
        "The whole service is overloaded (Qualys SSL Labs, Anthropic APIs); clients should back off and retry.",
        "整个服务过载（Qualys SSL Labs、Anthropic API）；客户端应退避后重试。"
    ),
    entry!(
        530,
        "Origin DNS Error",
        "源站 DNS 错误",
        NonStandard,
        "Cloudflare",
        "Cloudflare",
        [],
        "Cloudflare could not resolve the origin's hostname; the body carries a 1xxx error code (Pantheon also uses 530 for Site is frozen).",
        "Cloudflare 无法解析源站主机名；响应体带有 1xxx 错误码（Pantheon 也用 530 表示站点已冻结）。"
    ),
    entry!(
        530,
        "Site is frozen",
        "站点已冻结",
        NonStandard,
        "Pantheon",
        "Pantheon",
        [],
        "Pantheon froze the site after a period of inactivity.",
        "Pantheon 因站点长期不活跃而将其冻结。"
    ),
    entry!(
        540,
        "Temporarily Disabled",
        "暂时停用",
        NonStandard,
        "Shopify (per GoAccess and secondary lists)",
        "Shopify",
        [],
        "The requested endpoint is switched off for now (attributed to Shopify by secondary lists).",
        "请求的端点暂时被关闭（二手资料将其归于 Shopify）。"
    ),
    entry!(
        561,
        "Unauthorized",
        "未授权",
        NonStandard,
        "AWS ELB (ALB)",
        "AWS ELB",
        [],
        "AWS ALB: the identity provider returned an error during listener authentication; see error_reason in the log.",
        "AWS ALB：监听器认证时身份提供方返回错误；请查看日志中的 error_reason。"
    ),
    entry!(
        598,
        "Network Read Timeout Error",
        "网络读取超时错误",
        NonStandard,
        "informal proxy convention",
        "proxies",
        [],
        "Informal proxy code: reading the response from behind the proxy timed out.",
        "非正式的代理代码：从代理后方读取响应超时。"
    ),
    entry!(
        599,
        "Network Connect Timeout Error",
        "网络连接超时错误",
        NonStandard,
        "informal proxy convention; Tornado HTTP client",
        "Tornado",
        [],
        "Informal code for 'no HTTP response at all' (connect timeout or connection error), e.g. reported by Tornado's HTTP client.",
        "表示“完全没有 HTTP 响应”（连接超时或连接错误）的非正式代码，例如 Tornado HTTP 客户端会报告。"
    ),
];

static ENTRIES: &[Entry] = TABLE;

/// Marks an empty slot in [`INDEX`].
const NONE: u8 = u8::MAX;

/// Slot `code` holds the position in [`TABLE`] of the leading entry for `code`,
/// or [`NONE`]. Built by the compiler, so a lookup is one array read and a
/// mistake in the table's order fails the build instead of a test.
static INDEX: [u8; 1000] = build_index();

const fn build_index() -> [u8; 1000] {
    assert!(TABLE.len() < NONE as usize, "table outgrew the u8 index");
    let mut index = [NONE; 1000];
    let mut i = 0;
    while i < TABLE.len() {
        let code = TABLE[i].code as usize;
        assert!(code < 1000, "registry code outside 0-999");
        if i > 0 {
            // Ascending order keeps both `entries()` and `lookup_all` simple.
            assert!(
                TABLE[i - 1].code <= TABLE[i].code,
                "registry table not sorted"
            );
        }
        if index[code] == NONE {
            index[code] = i as u8;
        }
        i += 1;
    }
    index
}

/// Every entry, ascending by code; a code two parties use differently has
/// several entries, the standard meaning first. [`NO_STATUS`] is not included.
pub fn entries() -> &'static [Entry] {
    ENTRIES
}

/// The leading entry for `code`, in O(1) through a 1000-slot index; `None` for
/// unregistered codes and anything above 999.
pub fn lookup(code: u16) -> Option<&'static Entry> {
    match INDEX.get(code as usize) {
        Some(&i) if i != NONE => Some(&ENTRIES[i as usize]),
        _ => None,
    }
}

/// Every entry for `code`: the leading one first, then other uses.
pub fn lookup_all(code: u16) -> impl Iterator<Item = &'static Entry> {
    let start = match INDEX.get(code as usize) {
        Some(&i) if i != NONE => i as usize,
        _ => ENTRIES.len(),
    };
    ENTRIES[start..].iter().take_while(move |e| e.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_matches_linear_scan() {
        for code in 0..1100u16 {
            let linear: Vec<_> = ENTRIES.iter().filter(|e| e.code == code).collect();
            assert_eq!(
                lookup(code).map(|e| e as *const Entry),
                linear.first().map(|e| *e as *const Entry)
            );
            assert_eq!(lookup_all(code).count(), linear.len(), "code {code}");
        }
    }

    #[test]
    fn shared_codes_name_the_other_use() {
        for code in [103u16, 420, 451, 530] {
            let all: Vec<_> = lookup_all(code).collect();
            assert_eq!(all.len(), 2, "code {code}");
            assert!(all[0].en.contains(all[1].reason), "{code} en");
            assert!(
                all[0].zh.contains(all[1].reason) || all[0].zh.contains(all[1].reason_zh),
                "{code} zh"
            );
        }
        assert_eq!(lookup(103).unwrap().kind, Kind::Standard);
        assert_eq!(lookup(451).unwrap().kind, Kind::Standard);
    }

    #[test]
    fn vendor_only_for_non_ietf_codes() {
        for e in ENTRIES {
            if e.kind == Kind::Standard {
                assert!(e.vendor.is_empty(), "{}", e.code);
            }
            if e.kind == Kind::NonStandard {
                assert!(!e.vendor.is_empty(), "{}", e.code);
            }
        }
    }

    #[test]
    fn no_status_is_not_a_code() {
        assert!(NO_STATUS.class().is_none());
        assert!(lookup(NO_STATUS.code).is_none());
        assert_eq!(lookup(0).unwrap().code, 0);
    }
}
