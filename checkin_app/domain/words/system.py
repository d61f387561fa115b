"""Words of sync, printing, badges, storage, keys and the command line's other commands."""

WORDS: dict[str, tuple[str, str]] = {
    # -- sync: the desk's names (sync/desk_name.py) -------------------------------------------
    "desk_name.shown": ("{local}（中心服务器登记为 {enrolled}）", "{local} (enrolled as {enrolled})"),
    "desk_name.explained": (
        "本台名称“{local}”是在本台设置的；中心服务器、看板和冲突列表中本台叫“{enrolled}”"
        "（注册时的名称），上传的记录都以该名称为准。",
        "“{local}” is this desk's own name; the hub, the dashboard and the conflicts list know it "
        "as “{enrolled}” (the name it was enrolled under), and every record it sends is stored "
        "under that name."),
    # -- sync: protocol and enrolment codes (sync/protocol.py) --------------------------------
    "sync.side.desk": ("签到台", "desk"),
    "sync.side.hub": ("中心服务器", "hub"),
    "sync.version_unknown": ("未知", "unknown"),
    "sync.version_mismatch": (
        "协议版本不一致：本{we}为 v{ours}，{peer}为 v{theirs}。请将签到台和中心服务器升级到同一版本的程序。",
        "Protocol version mismatch: this {we} speaks v{ours}, the {peer} speaks v{theirs}. "
        "Install the same program version on the desks and the hub."),
    "enrol.not_a_code": ("这不是签到台注册码（应以 checkin-enrol: 开头）",
                         "This is not a desk enrolment code (it should start with checkin-enrol:)"),
    "enrol.incomplete": ("注册码不完整（缺少地址或令牌）",
                         "The enrolment code is incomplete (address or token missing)"),
    "enrol.no_fingerprint": ("注册码缺少服务器证书指纹",
                             "The enrolment code lacks the hub certificate fingerprint"),
    # -- sync: the desk's client, worker and transport ----------------------------------------
    "sync.failed": ("同步出错：{detail}", "Sync failed: {detail}"),
    "sync.reenrol_needs_manager": (
        "本签到台已属于一台中心服务器；重新注册（换到另一台中心或重新注册到同一台）须由负责人操作："
        "请输入负责人 PIN（此操作记入审计日志）",
        "This desk already belongs to a hub: enrolling it again (with another hub, or anew "
        "with the same one) is a manager action: a manager's PIN is needed (audited)"),
    "sync.cannot_reach": ("无法连接中心服务器：{detail}", "Cannot reach the hub: {detail}"),
    "sync.cannot_reach_at": ("无法连接中心服务器 {host}:{port}：{detail}",
                             "Cannot reach the hub at {host}:{port}: {detail}"),
    "sync.not_enrolled": ("本签到台尚未连接中心服务器（请先注册）",
                          "This desk is not enrolled with a hub yet"),
    "sync.nothing_taken": ("中心服务器的答复没有处理所发送的记录，稍后重试",
                           "The hub answered without taking the records sent; will retry"),
    "sync.hub_changed": ("中心服务器身份已改变（不是注册时的那一台），已停止同步",
                         "The hub's identity changed (not the hub this desk enrolled with); sync stopped"),
    "sync.download_cut": ("下载被中断，将从中断处继续",
                          "The download was cut; it resumes where it stopped"),
    "sync.cert_not_pinned": (
        "中心服务器证书与注册时固定的证书不符，已拒绝连接"
        "（可能是冒充的服务器；如确实更换了服务器，请重新注册）",
        "The hub's certificate is not the one pinned at enrolment; connection refused (this may "
        "be an impostor; if the hub really was replaced, enrol again)"),
    "sync.unreachable": ("中心服务器不可达：{detail}", "Hub unreachable: {detail}"),
    "sync.no_certificate": ("中心服务器未提供证书", "The hub presented no certificate"),
    "sync.fingerprint_mismatch": (
        "中心服务器证书与注册时固定的指纹不符，已拒绝连接（可能是冒充的服务器）。\n"
        "  期望 {expected}\n  实际 {actual}",
        "The hub's certificate does not match the pinned fingerprint; connection refused "
        "(this may be an impostor).\n"
        "  expected {expected}\n  got      {actual}"),
    "sync.hub_error": ("中心服务器返回错误 {status}", "The hub answered with error {status}"),
    # -- sync: rows a pull skips (sync/tables.py), written "zh / en" --------------------------
    "sync.skip.unknown_category": ("未知类别", "unknown category"),
    "sync.skip.unknown_delegate": ("未知人员", "unknown delegate"),
    "sync.skip.unknown_activity": ("未知活动", "unknown activity"),
    "sync.skip.bad_serial": ("证件序号无效", "invalid badge serial"),
    "sync.skip.audit_hub_only": ("审计记录只上传到中心服务器", "audit entries go to the hub only"),
    # -- sync: bundles (sync/bundle.py) ---------------------------------------------------------
    "bundle.damaged": ("数据包 {path} 已损坏或不完整（未导入任何内容）",
                       "Bundle {path} is damaged or cut short (nothing was imported)"),
    "bundle.not_a_bundle": ("{path} 不是签到数据包", "{path} is not a check-in bundle"),
    "bundle.kind.desk": ("签到台导出的数据包", "a desk's export"),
    "bundle.kind.hub": ("中心服务器导出的数据包", "a hub's export"),
    "bundle.wrong_kind": ("{path} 不是{kind}", "{path} is not {kind}"),
    "bundle.wrong_protocol": ("数据包协议版本 v{theirs} 与本程序 v{ours} 不符",
                              "Bundle protocol v{theirs} does not match this program's v{ours}"),
    "bundle.altered": ("数据包 {path} 的内容被改动过（校验值不符，未导入任何内容）",
                       "Bundle {path} was altered (its checksum does not match; nothing was imported)"),
    "bundle.other_hub": (
        "本签到台属于另一台中心服务器（指纹 {fingerprint}…），"
        "不接受其他中心的数据包（未导入任何内容）。确需更换中心服务器："
        "checkin-app bundle import 文件 --fingerprint 指纹 --change-hub（需负责人 PIN，记入审计日志）",
        "This desk belongs to another hub (fingerprint {fingerprint}…) and "
        "takes no other hub's bundle (nothing was imported). To change hubs on purpose: "
        "checkin-app bundle import FILE --fingerprint FP --change-hub (manager PIN; audited)"),
    "bundle.change_hub_needs_fingerprint": (
        "更换中心服务器须用 --fingerprint 给出新中心的指纹",
        "Changing hubs needs the new hub's fingerprint (--fingerprint)"),
    "bundle.unsigned": (
        "数据包 {path} 没有中心服务器的签名，无法确认来源（未导入任何内容）；"
        "确认来源可靠后可加 --allow-unsigned",
        "Bundle {path} is not signed by a hub, so where it came from cannot be checked (nothing "
        "was imported); if you trust it, use --allow-unsigned"),
    "bundle.which_hub": (
        "无法确认数据包来自哪台中心服务器：本签到台未注册。请用 --fingerprint 给出中心服务器的指纹"
        "（中心启动时显示）。数据包的指纹：{found}",
        "Cannot tell which hub wrote this bundle: this desk is not enrolled. Give the hub's "
        "fingerprint with --fingerprint (the hub prints it when it starts). The bundle's: {found}"),
    "bundle.signed_by_other": (
        "数据包 {path} 由另一台中心服务器签名（指纹 {found}…，应为 {want}…），未导入任何内容",
        "Bundle {path} was signed by another hub (fingerprint {found}…, expected "
        "{want}…); nothing was imported"),
    "bundle.bad_signature": (
        "数据包 {path} 的签名无效：内容被改动或伪造（未导入任何内容）",
        "Bundle {path} has an invalid signature: altered or forged (nothing was imported)"),
    # -- printing: printer names and state line (printing/status.py), errors (backends.py) ----
    "printer.name.folder": ("PDF 文件夹 {name}", "PDF folder {name}"),
    "printer.name.spooler": ("系统队列 {name}", "spooler {name}"),
    "printer.name.default_spooler": ("系统默认队列", "default spooler"),
    "printer.name.system_default": ("系统默认", "system default"),
    "printer.ok": ("正常", "ok"),
    "printer.error": ("出错", "error"),
    "printer.state": ("打印机 {name} {ok} · 队列 {waiting}", "Printer {name} {ok} · {waiting} queued"),
    "printer.state.failed": (" · 失败 {failed}", " · {failed} failed"),
    "printer.state.auto_off": (" · 自动打印关", " · auto-print off"),
    "printer.state.unknown": ("打印机状态未知", "Printer state unknown"),
    "printer.kind.folder": ("文件夹", "Folder:"),
    "printer.kind.spooler": ("系统队列", "Spooler:"),
    "printer.kind.printer": ("打印机", "Printer:"),
    "printer.default": ("默认", "default"),
    "printer.folder_unwritable": ("无法写入文件夹 {folder}：{detail}",
                                  "Cannot write to the folder {folder}: {detail}"),
    "printer.no_lp": ("未找到系统打印命令 lp（请安装 CUPS）",
                      "The system print command lp was not found (install CUPS)"),
    "printer.lp_timeout": ("打印服务 {seconds} 秒无响应",
                           "The print spooler did not answer in {seconds} s"),
    "printer.lp_failed": ("无法运行 lp：{detail}", "Cannot run lp: {detail}"),
    "printer.refused": ("打印机 {where} 拒绝了任务：{detail}",
                        "The printer {where} refused the job: {detail}"),
    "printer.unknown_kind": ("未知的打印机类型 {kind}（可用：{known}）",
                             "Unknown kind of printer {kind} (available: {known})"),
    "printer.folder_needs_path": ("文件夹打印机需要一个路径", "A folder printer needs a path"),
    "printer.failed": ("打印出错：{detail}", "Printing failed: {detail}"),
    # -- badges: the walk-in mark (domain/badge_data.py), template refusals (badges/templates.py) ---
    "badge.walk_in_mark": ("现场登记", "WALK-IN"),
    "badge.qr_too_long": ("二维码内容过长", "QR data too long"),
    "template.error": ("徽章模板 {where}：{reason}", "Badge template {where}: {reason}"),
    "template.not_object": ("必须是 JSON 对象 {{…}}", "must be a JSON object {{…}}"),
    "template.missing": ("缺少必填项", "is missing"),
    "template.not_number": ("必须是数字（现为 {value}）", "must be a number (got {value})"),
    "template.not_positive": ("必须大于 0（现为 {value}）", "must be greater than 0 (got {value})"),
    "template.below_minimum": ("不能小于 {minimum}（现为 {value}）",
                               "must be at least {minimum} (got {value})"),
    "template.not_text": ("必须是文字（现为 {value}）", "must be a string (got {value})"),
    "template.not_allowed": ("取值 {value} 无效，可选：{allowed}",
                             "{value} is not allowed; choose one of: {allowed}"),
    "template.bad_colour": ("颜色 {value} 无效，应为 #RRGGBB", "colour {value} is invalid; use #RRGGBB"),
    "template.bad_colour_or_word": ("颜色 {value} 无效，应为 #RRGGBB 或 category / on_category",
                                    "colour {value} is invalid; use #RRGGBB or category / on_category"),
    "template.outside_page": ("超出页面（{width}×{height} 毫米）",
                              "reaches outside the page ({width}×{height} mm)"),
    "template.bad_format": ("文字格式无效：{detail}", "invalid text format: {detail}"),
    "template.unknown_field": ("未知字段 {name}；可用字段：{known}",
                               "unknown field {name}; known fields: {known}"),
    "template.unknown_qr_field": ("未知字段 {name}", "unknown field {name}"),
    "template.field_or_text": ("field 与 text 只能二选一", "give either field or text, not both"),
    "template.min_above_size": ("不能大于 size（{size}）", "must not be larger than size ({size})"),
    "template.max_lines": ("只能是 1、2 或 3", "must be 1, 2 or 3"),
    "template.fill_or_stroke": ("需要 fill 或 stroke", "needs a fill or a stroke colour"),
    "template.src_or_photo": ("需要 src（文件）或 field: \"photo\" 其中之一",
                              "needs exactly one of src (a file) or field: \"photo\""),
    "template.photo_only": ("图片只能绑定 photo", "an image can only be bound to photo"),
    "template.no_image": ("找不到图片文件 {src}", "image file {src} not found"),
    "template.categories": ("必须是类别代码列表", "must be a list of category codes"),
    "template.not_bool": ("必须是 true 或 false", "must be true or false"),
    "template.no_elements": ("必须是非空列表", "must be a non-empty list"),
    "template.unreadable": ("无法读取文件（{detail}）", "cannot read the file ({detail})"),
    "template.not_utf8": ("不是 UTF-8 文本", "is not UTF-8 text"),
    "template.bad_json": ("JSON 格式错误：{detail}", "invalid JSON: {detail}"),
    "template.none_usable": ("没有可用的模板", "no usable template"),
    "template.no_such": ("没有这个模板；可用：{known}", "no such template; available: {known}"),
    "template.no_such_sheet": ("没有这种拼版；可用：{known}", "no such sheet layout; available: {known}"),
    "template.does_not_fit": ("{width}×{height} 毫米的徽章放不进 {sheet} 拼版",
                              "a {width}×{height} mm badge does not fit the {sheet} sheet"),
    # -- storage: opening the database (storage/db.py) and recovering it (storage/recovery.py)
    "db.busy": (
        "另一个签到台程序正在检查或恢复数据库文件 {path}，等待 {seconds} 秒后仍未完成。请稍后再启动。",
        "Another desk process is checking or recovering the database file {path} and had not "
        "finished after {seconds} s. Start again in a moment."),
    "db.damaged": (
        "数据库文件 {path} 已损坏，此操作未完成。请重启签到台：启动时会检查文件，"
        "保留损坏的文件并改用新文件继续签到。",
        "The database file {path} is damaged; this was not done. Restart the desk: at start "
        "it checks the file, keeps the damaged one and goes on in a fresh file."),
    "db.cannot_open": ("无法打开数据库 {path}：{detail}", "Cannot open database {path}: {detail}"),
    "recovery.stub_job": ("该人员的记录随损坏的数据库丢失，同步后再重试打印",
                          "This person's record was lost with the damaged database; retry the "
                          "print once the desk has synced"),
    "recovery.in_use": (
        "数据库文件 {path} 已损坏，但另一个签到台程序（窗口或命令）正打开着它，所以没有移走它，"
        "签到台也不启动。请先关闭使用这个文件的其他签到台程序，再重新启动：启动时会保留损坏的文件"
        "并改用新文件继续签到。",
        "The database file {path} is damaged, but another desk process (a window or a command) "
        "has it open, so it was not moved aside and this desk does not start. Close the other "
        "desk program using this file, then start again: the desk will keep the damaged file "
        "and go on in a fresh one."),
    "recovery.all_kept": ("已完整转移 {kept} 行数据。", "All {kept} rows were carried over."),
    "recovery.some_kept": (
        "已转移 {kept} 行；以下表有无法读取的行（括号内为已转移行数）：{names}。"
        "请与中心服务器同步以补回数据。",
        "{kept} rows were carried over; these tables had rows that could not be read "
        "(rows carried in brackets): {names}. Sync with the hub to get the rest back."),
    "recovery.stubs": (
        "{n} 位人员的登记记录无法读取，本台为他们的签到和打印记录保留了占位记录"
        "（显示为证件编号），签到一条未丢；下次同步时这些记录会发送到中心服务器，"
        "他们的登记资料也会从中心服务器补回。",
        " {n} people's registration rows could not be read; this desk keeps their "
        "check-ins and prints on placeholders (shown by badge number), so no scan is "
        "lost: the next sync sends them to the hub and brings those people's records "
        "back from it."),
    "recovery.notice": (
        "本机数据库已损坏（{problem}）。损坏的文件已保留为 {path}，"
        "以便恢复；签到台改用新的数据库文件继续签到。{lists}请通知技术支持。",
        "This desk's database is damaged ({problem}). The damaged file was kept as "
        "{path} for recovery, and the desk goes on recording scans in a fresh "
        "database file. {lists} Tell technical support."),
    "recovery.short": ("数据库已损坏：已改用新文件继续签到，旧文件已保留",
                       "Database damaged: scanning goes on in a fresh file, the damaged one is kept"),
    # -- keys (services/keys.py) and the audit chain (services/audit.py) ----------------------
    "keys.file_exists": ("密钥文件已存在，未覆盖：{path}",
                         "The key file already exists and was not overwritten: {path}"),
    "keys.cannot_read": ("无法读取活动签名密钥文件 {path}：{detail}",
                         "Cannot read the event signing key file {path}: {detail}"),
    "keys.too_open": ("密钥文件 {path} 的权限过宽（他人可读），请执行 chmod 600。",
                      "The key file {path} is readable by others; run chmod 600 on it."),
    "keys.not_a_key": ("{path} 不是有效的签名密钥文件", "{path} is not a valid signing key file"),
    "keys.not_ed25519": ("{path} 不是 Ed25519 密钥", "{path} is not an Ed25519 key"),
    "keys.already_live": (
        "此数据库已有活动密钥 {fingerprint}；如需更换请用 keys rotate。",
        "This database already has event key {fingerprint}; use `keys rotate` to replace it."),
    "keys.not_this_event": ("密钥文件 {path} 中的密钥（{fingerprint}）不属于此数据库的活动。",
                            "The key in {path} ({fingerprint}) is not an event key of this database."),
    "keys.no_single_key": ("找不到（或不唯一）活动密钥 {fingerprint}",
                           "No single event key matches {fingerprint}"),
    "keys.desk_name_needed": ("请给出签到台名称", "A desk name is needed"),
    "keys.retired": ("活动密钥 {fingerprint} 已停用", "Event key {fingerprint} is retired"),
    "keys.ids_used_up": ("密钥编号已用尽", "No desk key ids left"),
    "keys.not_organiser": (
        "{path} 不是本活动有效的活动密钥：只有主办方（持有活动密钥）可以作废或恢复签到台密钥",
        "{path} is not this event's (live) event key: only the organiser, who holds it, "
        "revokes desk keys or lifts a revocation"),
    "keys.revoke_reason_needed": ("请说明作废原因", "A reason is needed"),
    "keys.no_desk_key": ("没有编号为 {key_id} 的签到台密钥", "No desk key with id {key_id}"),
    "keys.lift_reason_needed": ("请说明解除作废的原因", "A reason is needed"),
    "keys.not_revoked": ("签到台密钥 {key_id} 没有生效的作废记录",
                         "Desk key {key_id} has no revocation in force"),
    "keys.not_public_file": ("{path} 不是签到台公钥文件", "{path} is not a check-in desk public key file"),
    "keys.public_file_damaged": ("公钥文件 {path} 内容有误：{detail}",
                                 "The public key file {path} is damaged: {detail}"),
    "audit.link_broken": (
        "第 {id} 条记录的前序哈希不符（记录被删除或插入）",
        "entry {id}: link to the previous entry is broken (an entry was removed or inserted)"),
    "audit.entry_changed": ("第 {id} 条记录内容被修改",
                            "entry {id}: its content was changed after it was written"),
    # -- the desk's facade (desk.py) and where the program's files are (paths.py) -------------
    "desk.no_hub": ("这个签到台不连接中心服务器", "This desk does not connect to a hub"),
    "paths.no_resources": ("找不到程序资源文件夹（resources/）",
                           "Cannot find the resources/ folder of the program"),
    # -- the demo event (demo/build.py, cli/demo.py) ------------------------------------------
    "demo.not_empty": ("数据库中已有{what}，演示数据只能生成到空数据库中；请换一个新的数据库文件。",
                       "The database already holds {what}; demo data can only be built into an empty "
                       "database. Use a new database file."),
    "demo.what.event": ("活动 {event}", "event {event}"),
    "demo.what.data": ("类别、活动或人员数据", "categories, activities or delegates"),
    "demo.size_min": ("人数至少为 1", "The demo needs at least one delegate"),
    # -- the command line (cli/): a line is "zh / en" unless said; a label's English part ends
    # where the value follows, and English-only tails stay in the command's own line ----------
    "cli.description": ("大会签到台", "Conference check-in desk"),
    "cli.interrupted": ("已中断", "Interrupted"),
    "cli.bad_clock": ("时钟格式无效：{value}（例：2024-11-23T09:30）",
                      "Invalid --clock value: {value} (example: 2024-11-23T09:30)"),
    "cli.no_event": (
        "数据库 {path} 中没有活动数据。请先运行 `checkin-app demo` 或导入报名数据。",
        "The database {path} holds no event. Run `checkin-app demo` or import registrations first."),
    "cli.manager_pin": ("负责人 PIN", "Manager PIN"),
    "cli.action.reenrol": ("重新注册签到台须由负责人操作", "Enrolling a desk again"),
    "cli.action.change_hub": ("更换中心服务器须由负责人操作", "Changing hubs"),
    "cli.manager_pin_first": ("{action}，请先设置负责人 PIN（checkin-app pin set）",
                              "{action} is a manager action: set a manager PIN first (checkin-app pin set)"),
    "cli.enrol.needs_manager": ("本签到台已属于一台中心服务器，重新注册须由负责人操作（记入审计日志）",
                                "This desk already belongs to a hub: enrolling it again is a manager action "
                                "(audited)"),
    "cli.enrol.again_by": ("本签到台已重新注册，由 {manager} 操作并记入审计日志",
                           "This desk was enrolled again by {manager} (audited)"),
    "cli.enrol.done": ("已连接中心服务器", "Enrolled with hub"),
    "cli.enrol.next": ("运行 checkin-app sync 或启动签到台开始同步",
                       "run `checkin-app sync` or start the desk to sync"),
    "cli.sync.downloading": ("下载中", "downloading…"),
    "cli.sync.done": ("同步完成", "Synced:"),
    "cli.bundle.exported": ("已导出 {items} 条未同步记录", "Exported {items} unsynced items"),
    "cli.bundle.signed_by": ("已用签到台密钥签名", "signed by"),
    "cli.bundle.not_signed": ("未签名：本签到台没有经认证的密钥，中心导入时须加 --allow-unsigned",
                              "not signed: this desk has no certified key; the hub must import it with "
                              "--allow-unsigned"),
    "cli.bundle.moved_hub": (
        "本签到台已改属新的中心服务器（{fingerprint}），由 {operator} 操作并记入审计日志",
        "This desk now belongs to the hub {fingerprint} (by {operator}; audited)"),
    "cli.bundle.imported": ("已导入 {items} 条", "Imported {items} rows"),
    "cli.bundle.verified": ("签名已验证", "signature verified:"),
    "cli.bundle.taken_unsigned": ("未签名（按 --allow-unsigned 导入）",
                                  "not signed (taken with --allow-unsigned)"),
    "cli.undo.nothing": ("签到台 {desk} 没有可撤销的签到", "No check-in to undo at desk {desk}"),
    "cli.undo.done": ("已撤销", "Undone:"),
    "cli.search.none": ("未找到", "No match"),
    "cli.search.cancelled": ("已取消", "CANCELLED"),
    "cli.migrate.done": ("数据库已是最新", "Database schema at revision"),
    "cli.audit.exported": ("已导出 {n} 条审计记录", "Exported {n} audit entries"),
    "cli.audit.intact": ("审计链完整", "Audit chain intact:"),
    "cli.audit.broken": ("审计链已损坏", "Audit chain BROKEN"),
    "cli.demo.size_min": ("--size 至少为 1", "--size must be at least 1"),
    "cli.demo.building": ("生成中", "building…"),
    "cli.demo.built": ("演示活动已生成", "Demo event built:"),
    "cli.demo.samples": ("示例代码", "sample codes:"),
    "cli.demo.key_file": ("活动密钥", "event key file:"),
    "cli.demo.signed_codes": ("已签名证件代码", "signed badge codes:"),
    "cli.demo.printer": ("徽章打印到文件夹", "badges print as PDF files into:"),
    "cli.demo.has_event": ("数据库 {path} 已有活动数据，未作改动。",
                           "The database {path} already holds an event; nothing was changed."),
    "cli.badges.progress": ("徽章", "badges"),
    "cli.badges.choose": ("请指定 --all、--category 或 --activity",
                          "Choose --all, --category or --activity"),
    "cli.badges.wrote": ("已生成 {n} 个徽章（{pages} 页）", "Wrote {n} badges ({pages} pages)"),
    "cli.keys.created": ("活动签名密钥已生成", "Event signing key created:"),
    "cli.keys.key_file": ("密钥文件", "key file (keep it off the desks, 0600):"),
    "cli.keys.certified_here": ("本台已认证", "this desk certified:"),
    "cli.keys.new_event_key": ("新活动密钥", "New event key:"),
    "cli.keys.new_desk_key": ("本台新密钥", "this desk's new key id:"),
    "cli.keys.retired": ("已停用", "Retired event key"),
    "cli.keys.certified": ("已认证", "Certified desk"),
    "cli.keys.revoked": ("已作废", "Revoked desk key"),
    "cli.keys.distribute": ("请将新的公钥文件分发给各签到台", "export-public and import it at every desk"),
    "cli.keys.lifted": ("作废已解除", "Revocation lifted:"),
    "cli.keys.exported": ("已导出", "Exported to"),
    "cli.keys.imported": ("已导入", "Imported from"),
    "cli.keys.rejected": ("个证书无效已拒绝", "certificates failed their check and were rejected"),
    "cli.keys.event_keys": ("活动密钥", "Event keys:"),
    "cli.keys.desk_keys": ("签到台密钥", "Desk keys:"),
    "cli.keys.no_signer": ("无：证件使用报名代码", "none: badges carry registration codes"),
    "cli.keys.signs_with": ("本台签发", "This desk signs with:"),
    "cli.issue.no_delegate": ("找不到人员 {text}", "No delegate {text}"),
    "cli.issue.no_key": ("本数据库没有经认证的签到台密钥，无法签发证件代码（先执行 checkin-app keys init 或 "
                         "keys certify-desk）",
                         "This database has no certified desk key, so it cannot sign "
                         "badge codes (run `checkin-app keys init` or `keys certify-desk` first)"),
    "cli.pin.no_manager": ("尚未设置负责人", "No manager yet"),
    "cli.pin.existing": ("现有负责人 PIN", "An existing manager's PIN"),
    "cli.pin.removed": ("已删除负责人", "Removed manager"),
    "cli.pin.new_for": ("{name} 的新 PIN", "New PIN for {name}"),
    "cli.pin.again": ("再输一次", "Again"),
    "cli.pin.differ": ("两次输入的 PIN 不一致", "The two PINs differ"),
    "cli.pin.set": ("已设置", "PIN set for manager"),
}
