"""Words of registration import: reading files, the report, the wizard and the import commands."""

WORDS: dict[str, tuple[str, str]] = {
    # between the items of a list in a message (sheet names, what two records share)
    "import.list_sep": ("、", ", "),
    # -- files that cannot be read at all (importers/readers.py) -----------------------------
    "import.read.cannot_open": ("无法打开文件 {path}：{error}", "Cannot open {path}: {error}"),
    "import.read.old_xls": (
        "{name} 是旧版 Excel（.xls）文件。请在 Excel 中另存为 .xlsx 或 CSV 后再导入。",
        "{name} is an old Excel (.xls) file. Save it as .xlsx or CSV in Excel, then import that."),
    "import.read.bom_mismatch": (
        "{name} 标明是 {encoding} 编码（文件开头的字节顺序标记），但第 {line} 行有不属于该编码的字节："
        "文件已损坏或被其他程序改过。请从原系统重新导出。",
        "{name} says it is {encoding} (the byte-order mark at its start), but line {line} holds bytes that "
        "are not: the file is damaged or was changed by another program. Export it again from its source."),
    "import.read.undecodable": (
        "{name} 第 {line} 行不能按 {encoding} 编码读取（会出现乱码），请换一种编码。",
        "{name} line {line} cannot be read as {encoding} (the text would be garbled); choose another "
        "encoding."),
    "import.read.no_encoding": (
        "{name} 既不是 UTF-8 也不是 GB18030/GBK 编码，请选择文件的编码（例如 big5）。",
        "{name} is neither UTF-8 nor GB18030/GBK; choose the file's encoding (e.g. big5)."),
    "import.read.unknown_encoding": ("未知编码：{encoding}", "Unknown encoding: {encoding}"),
    "import.read.line_too_long": (
        "{name} 第 {line} 行超过 {limit:,} 个字符（可能缺少换行，或引号未闭合），未导入任何数据。"
        "请检查该行。",
        "{name} line {line} is over {limit:,} characters long (a missing line break, or a quote that is "
        "never closed); nothing was imported. Check that line."),
    "import.read.cell_too_long": (
        "{name} 第 {line} 行有一个单元格超过 {limit:,} 个字符（可能引号未闭合），未导入任何数据。",
        "{name} line {line} has a cell over {limit:,} characters long (perhaps a quote that is never "
        "closed); nothing was imported."),
    "import.read.malformed": ("{name} 第 {line} 行格式错误：{error}",
                              "{name} line {line} is malformed: {error}"),
    "import.read.refused": (
        "{name} 不能导入：{why}。未导入任何数据；请在 Excel 中打开并另存为 .xlsx 后重试。",
        "{name} cannot be imported: {why}. Nothing was imported; open it in Excel, save it again as .xlsx "
        "and retry."),
    "import.read.xlsx_unreadable": ("无法读取 Excel 文件 {name}：{error}",
                                    "Cannot read the Excel file {name}: {error}"),
    "import.read.no_sheet": ("工作簿中没有名为 {sheet} 的工作表（现有：{listed}）",
                             "No sheet named {sheet} in the workbook (sheets: {listed})"),
    "import.read.xlsx_error": ("读取 Excel 文件时出错：{error}",
                               "Error while reading the Excel file: {error}"),
    "import.check_worker_died": (
        "检查 {name} 各行的后台进程意外退出（内存不足或被结束），未写入任何内容；请重试",
        "The background process checking the rows of {name} ended unexpectedly (out of memory or "
        "killed); nothing was written: try again"),
    "import.read.reader_died": (
        "读取 {name} 的进程意外退出（代码 {code}），未导入任何数据。",
        "The process reading {name} stopped unexpectedly (code {code}); nothing was imported."),
    # why a workbook is refused ({why} of import.read.refused)
    "import.xlsx.too_many_parts": ("压缩包中有 {count:,} 个部件（上限 {limit:,}）",
                                   "its zip holds {count:,} parts (limit {limit:,})"),
    "import.xlsx.part_twice": ("部件 {part} 出现两次", "part {part} appears twice"),
    "import.xlsx.part_too_big": ("部件 {part} 解压后 {size}（上限 {limit}）",
                                 "part {part} is {size} uncompressed (limit {limit})"),
    "import.xlsx.zip_bomb": ("部件 {part} 压缩比 {ratio:,}:1，是压缩炸弹（上限 {limit}:1）",
                             "part {part} expands {ratio:,} times, a zip bomb (limit {limit} times)"),
    "import.xlsx.too_big": ("解压后共 {size}（上限 {limit}）", "it is {size} uncompressed (limit {limit})"),
    "import.xlsx.xml_run": ("部件 {part} 中有超过 {limit} 的空白或文本段",
                            "part {part} has a run of text or whitespace over {limit}"),
    "import.xlsx.part_damaged": ("部件 {part} 已损坏（{error}）", "part {part} is damaged ({error})"),
    "import.xlsx.too_many_merges": ("工作表 {part} 有超过 {limit:,} 个合并单元格区域",
                                    "sheet {part} has over {limit:,} merged ranges"),
    "import.xlsx.too_many_cells": (
        "工作表 {part} 的数据延伸到第 {row:,} 行、第 {col:,} 列（{area:,} 个单元格，上限 {limit:,}）",
        "sheet {part} has values as far as row {row:,}, column {col:,} ({area:,} cells; limit {limit:,})"),
    "import.xlsx.shared_too_big": ("工作表 {part} 的共享字符串展开后约 {size}（上限 {limit}）",
                                   "sheet {part} expands its shared strings to about {size} (limit {limit})"),
    "import.xlsx.shared_missing": ("工作表 {part} 引用了不存在的共享字符串",
                                   "sheet {part} refers to shared strings that do not exist"),
    "import.xlsx.no_structure": ("找不到或读不懂工作簿结构（{error}）",
                                 "its workbook structure is missing or unreadable ({error})"),
    "import.xlsx.too_many_sheets": ("有 {count:,} 个工作表（上限 {limit}）",
                                    "it has {count:,} sheets (limit {limit})"),
    "import.xlsx.no_sheet_part": ("找不到工作表 {sheet} 的内容", "sheet {sheet} has no content part"),
    "import.xlsx.merges_overlap": ("合并单元格区域互相重叠", "its merged ranges overlap one another"),
    # -- the import report: one line per problem (importers/report.py) ----------------------
    # A field such as {field} or {activity} is filled per language: report.problem() takes it as
    # field_zh / field_en.
    "import.problem.missing_name": ("缺少姓名", "Name is missing"),
    "import.problem.missing_key": ("缺少{field}，无法识别此人",
                                   "{field} is missing, so the person cannot be matched"),
    "import.problem.bad_code": ("报名编号含有无效字符",
                                "Registration number contains characters that are not allowed"),
    "import.problem.code_padded": ("报名编号前导零已补回：{fixed}",
                                   "Leading zeros of the registration number restored: {fixed}"),
    "import.problem.duplicate_key": ("与第 {other} 行{field}重复，此行未导入",
                                     "Same {field} as line {other}; this row was not imported"),
    "import.problem.duplicate_person": (
        "与第 {other} 行姓名和单位相同，可能是同一人",
        "Same name and organisation as line {other}: possibly the same person"),
    "import.problem.missing_category": ("缺少类别", "Category is missing"),
    "import.problem.unknown_category": (
        "未知类别：{value}（应为本次大会的类别名称或代码）",
        "Unknown category: {value} (use a category name or code of this event)"),
    "import.problem.unknown_activity": ("未知活动：{token}", "Unknown activity: {token}"),
    "import.problem.activity_extra": (
        "类别“{category}”默认不能参加“{activity}”，已为此人单独开通",
        "Category {category} is not admitted to {activity} by default; this person was given an "
        "individual admission"),
    "import.problem.unknown_track": ("赛道“{value}”对应不到本次大会的活动（未单独开通）",
                                     "Track {value} matches no activity of this event (no admission given)"),
    "import.problem.track_admission": ("赛道“{value}”：已开通“{activity}”",
                                       "Track {value}: admitted to {activity}"),
    "import.problem.unknown_country": ("未知国家/地区：{value}（已留空）",
                                       "Unknown country/region: {value} (left empty)"),
    "import.problem.unknown_status": ("无法识别的状态：{value}", "Unrecognised status: {value}"),
    "import.problem.mapped_reject": ("按值映射拒绝：{value}，此行未导入",
                                     "Rejected by the value mapping: {value}; row not imported"),
    "import.problem.pending_status": ("报名尚未审核通过，未导入",
                                      "Registration is not approved yet; not imported"),
    "import.problem.bad_phone": ("手机号码无效：{value}", "Invalid phone number: {value}"),
    "import.problem.phone_digits_lost": (
        "号码以科学计数法保存，后几位已丢失：{value}（请在 Excel 中将该列设为文本后重新导出）",
        "Number was saved in scientific notation and lost digits: {value} (format the column as text in "
        "Excel and export again)"),
    "import.problem.bad_email": ("电子邮箱无效：{value}", "Invalid email address: {value}"),
    "import.problem.bad_id": ("证件号码校验不通过：{value}", "ID number fails its check digit: {value}"),
    "import.problem.bad_date": ("无法识别的日期：{value}", "Unrecognised date: {value}"),
    "import.problem.truncated": ("内容过长，已截断为 {limit} 个字符", "Too long; cut to {limit} characters"),
    "import.problem.uncovered_chars": (
        "徽章字体没有这些字符，徽章上将省略：{chars}",
        "No badge font has these characters; the badge leaves them out: {chars}"),
    "import.problem.latin_missing": ("缺少外文名：徽章只显示本名，请补充外文名",
                                     "Latin name missing: the badge shows the native name alone; add one"),
    "import.problem.photo_missing": ("照片文件未找到：{value}", "Photo file not found: {value}"),
    "import.problem.junk_row": ("不是报名人员（{reason}）：{value}，此行未导入",
                                "Not a registered person ({reason}): {value}; row not imported"),
    "import.problem.section_row": ("分组标题行，已跳过：{value}", "Section heading row skipped: {value}"),
    "import.problem.total_row": ("合计行，已跳过", "Total row skipped"),
    "import.problem.header_row": ("重复的表头行，已跳过", "Repeated header row skipped"),
    "import.problem.missing_from_file": (
        "此人在系统中但不在本次完整导入的文件中（未删除，请核实）",
        "In the system but not in this full import (not deleted; please check)"),
    "import.problem.code_qualified": (
        "报名编号 {value} 已属于来源“{other}”的另一人；此人保存为 {stored}",
        "Registration number {value} belongs to someone of source {other}; this person is stored as "
        "{stored}"),
    "import.problem.same_person_other_source": (
        "可能与来源“{other_source}”的 {other_code} 是同一人（{by}相同）：已分别保存，请核实后合并或保留",
        "Possibly the same person as {other_code} of source {other_source} (same {by}): kept apart; "
        "check, then merge or keep both"),
    "import.problem.more_notes": ("另有 {count} 行同样的提示（例如第 {lines} 行）：{what}",
                                  "{count} more lines with the same note (e.g. lines {lines}): {what}"),
    "import.problem.more_rows": (
        "另有 {count} 行同样的{severity}（例如第 {lines} 行；导出的报告文件逐行列出）：{what}",
        "… and {count} more rows with the same {severity} (e.g. lines {lines}; an exported report file "
        "lists every one): {what}"),
    "import.problem.code_taken": (
        "报名编号 {value} 已属于另一人，此行未导入",
        "Registration number {value} already belongs to someone else; row not imported"),
    # -- column kinds, severities and the report file's header ----------------------------------
    "import.kind.category": ("类别", "category"),
    "import.kind.activity": ("活动", "activity"),
    "import.kind.status": ("状态", "status"),
    "import.kind.track": ("赛道", "track"),
    "import.kind.country": ("国家/地区", "country"),
    "import.severity.error": ("错误", "error"),
    "import.severity.warning": ("警告", "warning"),
    "import.severity.info": ("提示", "info"),
    "import.report.sheet": ("工作表", "Sheet"),
    "import.report.line": ("行", "Line"),
    "import.report.column": ("列", "Column"),
    "import.report.value": ("值", "Value"),
    "import.report.severity": ("级别", "Severity"),
    "import.report.code": ("代码", "Code"),
    "import.report.problem": ("问题", "Problem"),
    "import.report.problem_en": ("问题（英文）", "Problem (English)"),
    # -- why a row is no person ({reason} of import.problem.junk_row) ----------------------------
    "import.junk.test": ("测试数据", "a test row"),
    "import.junk.placeholder": ("表单占位文字", "a form's placeholder"),
    "import.junk.error": ("表格公式错误", "a spreadsheet error"),
    "import.junk.lost": ("姓名含 ?（导出时字符丢失）", "the name holds ? (a character lost in the export)"),
    "import.junk.punctuation": ("姓名只有标点", "the name is only punctuation"),
    # -- the import service's refusals (services/importing.py) -----------------------------------
    "import.no_event": (
        "数据库中还没有大会、类别和活动。请先建立大会（含类别和活动），再导入报名人员：checkin-app event "
        "new 大会.yaml，填写后 checkin-app event apply 大会.yaml。",
        "The database holds no event yet. The event with its categories and activities must exist before "
        "delegates can be imported: checkin-app event new event.yaml, fill it in, then checkin-app event "
        "apply event.yaml."),
    "import.preset.unknown": ("没有名为 {name} 的映射方案（已保存：{listed}）",
                              "No mapping preset named {name} (saved: {listed})"),
    "import.preset.no_name": ("映射方案需要一个名称", "A mapping preset needs a name"),
    "import.same.bad_decision": ("决定只能是 merge 或 apart：{decision}",
                                 "A decision is merge or apart: {decision}"),
    "import.same.itself": ("同一条记录不能与自己合并", "A record cannot be merged with itself"),
    "import.same.missing": ("找不到要决定的人员", "One of the two people does not exist"),
    "import.same.cycle": (
        "不能把 {other} 合并到 {kept}：{kept} 已经（直接或间接）合并到 {other}，会形成循环。"
        "请先把其中一对保留为两人。",
        "{other} cannot be merged into {kept}: {kept} already stands merged (directly or through "
        "another record) into {other}, which would make a loop. Keep one of those pairs apart first."),
    "import.same.merged_elsewhere": (
        "{other} 已合并到另一人的记录 {into}，不能再合并到这里。请先把 {other} 与 {into} 保留为两人。",
        "{other} already stands merged into another person's record, {into}, and cannot be merged here "
        "too. Keep {other} and {into} apart first."),
    "import.file_not_found": ("找不到文件：{path}", "File not found: {path}"),
    "import.no_header": (
        "在 {name} 的前 {rows} 行中找不到表头（例如 姓名、单位、类别）。请检查工作表是否正确，"
        "或手动指定表头所在行。",
        "No header row (e.g. Name, Organisation, Category) found in the first {rows} rows of {name}. Check "
        "the sheet, or give the header line."),
    "import.cannot_read": ("无法读取 {path}：{error}", "Cannot read {path}: {error}"),
    "import.bad_key": ("不能用 {key} 识别人员（可用：{listed}）",
                       "Cannot match people by {key} (use one of {listed})"),
    "import.key_unmapped": (
        "没有映射到“{field}”的列，无法识别人员。请在映射中指定该列。",
        "No column is mapped to {field}, so people cannot be matched. Map that column."),
    "import.bad_default_category": ("未知的默认类别：{category}", "Unknown default category: {category}"),
    "import.bad_keep": ("只能保留这些个人信息字段：{listed}",
                        "Only these personal fields can be kept: {listed}"),
    "import.failed": ("导入失败，未写入任何数据：{error}", "Import failed; nothing was written: {error}"),
    "import.read.error": ("读取 {name} 时出错：{error}", "Error while reading {name}: {error}"),
    "import.file_changed": (
        "读取过程中文件 {name} 被修改或移走，未导入任何数据。请重新导入。",
        "The file {name} changed or disappeared while it was being read; nothing was imported. Import it "
        "again."),
    "import.no_photo_folder": ("照片文件夹不存在：{folder}", "Photo folder not found: {folder}"),
    "import.mapping.bad_kind": ("未知的映射类型 {kind}（可用：{listed}）",
                                "Unknown mapping kind {kind} (use one of: {listed})"),
    "import.mapping.bad_target": (
        "映射 {kind}:{value}={target} 无效：没有 {target}（可用：{hint}；或 reject）",
        "Mapping {kind}:{value}={target} is not valid: there is no {target} (use {hint}, or reject)"),
    "import.identity.id_number": ("证件号码", "ID number"),
    "import.identity.email": ("邮箱", "e-mail"),
    "import.identity.phone": ("手机", "phone"),
    "import.identity.name_org": ("姓名和单位", "name and organisation"),
    # -- the wizard's value-mapping page (ui/import_values.py) ------------------------------------
    "import.values.head.column": ("文件中的列", "Column"),
    "import.values.head.value": ("文件中的值", "Value in file"),
    "import.values.head.rows": ("行数", "Rows"),
    "import.values.head.target": ("对应为", "Map to"),
    "import.values.head.lines": ("所在行", "Lines"),
    "import.values.title": (
        "文件中有本次大会不认识的值：请为每个值选择它对应的类别、活动或状态，或拒绝这些行。",
        "The file holds values the event does not know: choose the category, activity or status each one "
        "means, or reject its rows."),
    "import.values.save": ("导入时把这些对应关系和列映射保存为方案",
                           "On import, save these values and the columns as preset"),
    "import.values.not_chosen": ("— 未选择 —", "— not chosen —"),
    "import.values.no_activity": ("不计入任何活动", "leave it out (no activity)"),
    "import.values.approved": ("已通过（导入）", "approved (imported)"),
    "import.values.cancelled": ("已取消", "cancelled"),
    "import.values.leave_empty": ("留空", "leave empty"),
    "import.values.reject": ("拒绝（这些行不导入）", "reject (rows not imported)"),
    "import.values.preset": ("方案", "preset"),
    # -- what `checkin-app import` prints (cli/importing.py) ---------------------------------------
    "import.cli.all_sheets_xlsx": ("--all-sheets 只用于 Excel 工作簿", "--all-sheets is for Excel workbooks"),
    "import.cli.bad_column": ("--column 需要 表头=字段（字段：{fields}）",
                              "--column needs HEADER=FIELD (fields: {fields})"),
    "import.cli.source": ("来源", "source"),
    "import.cli.ignored": ("不导入", "ignored"),
    "import.cli.imported": ("已导入", "Imported"),
    "import.cli.dry_run": ("试运行，未写入", "Dry run, nothing written"),
    "import.cli.indexing": ("正在建立姓名索引（人员已导入，可凭码签到）…",
                            "Building the name index (people are imported and can check in by code)…"),
    "import.cli.indexed": ("姓名索引已建立：{keys:,} 个检索词（{seconds:.1f} 秒）",
                           "Name index built: {keys:,} search keys ({seconds:.1f} s)"),
    "import.cli.report": ("报告（{count:,} 行）", "Report ({count:,} lines)"),
    "import.cli.bad_map": ("--map 需要 类型:值=目标（类型：{kinds}），例如 category:嘉宾=GUEST",
                           "--map needs KIND:VALUE=TARGET (kinds: {kinds}), e.g. category:嘉宾=GUEST"),
    "import.cli.map_help": (
        "映射类别、活动、状态或国家列中的一个值，例如 category:嘉宾=GUEST、status:待审核=approved、"
        "country:塞国=RS、activity:晚宴=-（不计入）或 category:测试=reject；可重复；用 --save-mapping 保存",
        "map a value of the category, activity, status or country column, e.g. category:嘉宾=GUEST, "
        "status:待审核=approved, country:塞国=RS, activity:晚宴=- (leave out) or category:测试=reject; "
        "repeatable; saved with --save-mapping"),
    "import.cli.unknown_values": ("本次大会不认识的值（用 --map 类型:值=代码 映射）",
                                  "Values the event does not know (map them with --map KIND:VALUE=CODE)"),
    "import.cli.bad_pair": ("需要 编号=编号：{item}", "Needs NUMBER=NUMBER: {item}"),
    "import.cli.dry_run_decision": (
        "试运行不保存决定：去掉 --dry-run 再给 --merge / --keep-apart",
        "A dry run stores no decision: give --merge / --keep-apart without --dry-run"),
    "import.cli.nobody": (
        "没有报名编号为 {numbers} 的人（先导入，--dry-run 时不写入）",
        "Nobody holds registration number {numbers} (import first; a dry run writes nothing)"),
    "import.cli.same_people": (
        "可能是同一人（已分别保存；用 --merge 保留者=另一人 或 --keep-apart 甲=乙 决定）",
        "Possibly the same person (kept apart; decide with --merge KEPT=OTHER or --keep-apart A=B)"),
    "import.cli.merged": ("已合并", "merged"),
    "import.cli.kept_apart": ("保留为两人", "kept apart"),
    # -- the import wizard (ui/import_wizard.py) --------------------------------------------------
    "import.wizard.delim.comma": ("逗号", "Comma ,"),
    "import.wizard.delim.tab": ("制表符", "Tab"),
    "import.wizard.delim.semicolon": ("分号", "Semicolon ;"),
    "import.wizard.delim.bar": ("竖线", "Bar |"),
    "import.wizard.stage.read": ("读取并检查", "Reading and checking"),
    "import.wizard.stage.check": ("与现有数据比对", "Comparing"),
    "import.wizard.stage.apply": ("写入", "Writing"),
    "import.wizard.stage.inspect": ("识别文件", "Inspecting file"),
    "import.wizard.dry_run": ("试运行", "Dry run"),
    "import.count.new": ("新增", "New"),
    "import.count.changed": ("变更", "Changed"),
    "import.count.unchanged": ("未变", "Unchanged"),
    "import.count.cancelled": ("取消", "Cancelled"),
    "import.count.rejected": ("拒绝", "Rejected"),
    "import.count.missing": ("文件中缺少", "Missing"),
    "import.count.warnings": ("警告", "Warnings"),
    "import.count.unknown_values": ("不认识的值", "Unknown values"),
    "import.wizard.title": ("导入报名数据", "Import registrations"),
    "import.wizard.cancel": ("取消", "Cancel"),
    "import.wizard.back": ("← 返回修改", "Back"),
    "import.wizard.apply": ("导入", "Apply import"),
    "import.wizard.close": ("关闭", "Close"),
    "import.wizard.values": ("← 值映射", "Values"),
    "import.wizard.recheck": ("按此重新检查", "Check again →"),
    "import.wizard.report": ("报告", "Report →"),
    "import.wizard.browse": ("选择文件…", "Choose file…"),
    "import.wizard.save_preset": ("保存为方案…", "Save as preset…"),
    "import.wizard.photos": ("照片文件夹…", "Photos folder…"),
    "import.wizard.reread": ("按这些设置重新读取", "Re-read with these settings"),
    "import.wizard.apart": ("保留为两人", "Keep apart"),
    "import.wizard.check": ("检查（试运行）", "Check (dry run) →"),
    "import.wizard.file_hint": ("输入路径或选择报名平台导出的 Excel / CSV 文件，回车读取",
                                "Type the path of the Excel or CSV export (Enter reads it), or choose it"),
    "import.wizard.source_hint": ("例如 问卷星报名、外事办嘉宾", "e.g. survey, protocol office list"),
    "import.wizard.full": ("完整名单：报告文件中缺少的人（不删除）",
                           "Complete list: report people not in the file (never deleted)"),
    "import.wizard.optional": ("可选", "optional"),
    "import.wizard.keep": ("保存个人信息（签到台不显示）", "Keep personal data (never shown at desks)"),
    "import.wizard.file": ("文件", "File"),
    "import.wizard.sheet": ("工作表", "Sheet"),
    "import.wizard.encoding": ("编码", "Encoding"),
    "import.wizard.delimiter": ("分隔符", "Delimiter"),
    "import.wizard.header_line": ("表头所在行", "Header line"),
    "import.wizard.preset": ("映射方案", "Preset"),
    "import.wizard.key": ("识别人员依据", "Match people by"),
    "import.wizard.photos_label": ("照片", "Photos"),
    "import.wizard.source": ("名单来源", "Source list"),
    "import.wizard.mapping": ("列映射（可逐列修改）", "Column mapping (change any column)"),
    "import.wizard.head.column": ("文件中的列", "Column in file"),
    "import.wizard.head.field": ("导入为", "Import as"),
    "import.wizard.head.sample": ("示例", "Sample values"),
    "import.wizard.export": ("导出报告 CSV…", "Export report CSV…"),
    "import.wizard.same": ("可能是同一人（已分别保存）", "Possibly the same person (kept apart)"),
    "import.wizard.same.line": ("行", "Line"),
    "import.wizard.same.mine": ("本文件", "This file"),
    "import.wizard.same.other": ("另一来源", "Other source"),
    "import.wizard.same.by": ("相同", "Same"),
    "import.wizard.same.decision": ("决定", "Decision"),
    "import.wizard.merge": ("合并：先导入的记录代表此人", "Merge: the earlier record stands for both"),
    "import.wizard.automatic": ("自动识别", "automatic"),
    "import.wizard.source.typed": ("检查时按此来源识别人员",
                                   "People are matched within this source when checked"),
    "import.wizard.source.known": ("此来源已导入过：同一编号即同一人",
                                   "Imported before: the same number is the same person"),
    "import.wizard.source.new": ("新来源：编号与其他名单互不相干",
                                 "A new source: its numbers are its own, apart from other lists'"),
    "import.wizard.choose_file": ("选择报名文件", "Choose registration file"),
    "import.wizard.photos_folder": ("照片文件夹", "Photos folder"),
    "import.wizard.no_file": ("请先输入或选择报名文件", "Type or choose the registration file first"),
    "import.wizard.not_a_file": ("这不是文件（是文件夹？）：{path}", "Not a file (a folder?): {path}"),
    "import.wizard.where_sheet": ("工作表", "sheet"),
    "import.wizard.rows": ("约 {count:,} 行", "about {count:,} rows"),
    "import.wizard.header_on": ("表头第 {line} 行", "header on line {line}"),
    "import.wizard.preset_used": ("方案", "preset"),
    "import.wizard.ignore": ("不导入", "ignore"),
    "import.wizard.personal": ("个人信息", "personal"),
    "import.wizard.save_title": ("保存映射方案", "Save mapping preset"),
    "import.wizard.preset_name": ("方案名称", "Preset name"),
    "import.wizard.preset_saved": ("已保存映射方案 {name}", "Preset {name} saved"),
    "import.wizard.saved_with": (
        "列映射和值映射已保存到方案 “{name}”，下次导入同一来源时自动使用",
        "Columns and values saved with preset “{name}”; the next import from the same source uses it by "
        "itself"),
    "import.wizard.imported": ("已导入 {name}，用时 {seconds:.1f} 秒。",
                               "Imported {name} in {seconds:.1f} s."),
    "import.wizard.dry_run_head": (
        "试运行：尚未写入任何数据。请查看下面的问题，修改文件后重新检查，或直接导入。",
        "Dry run: nothing written yet. Review the problems below, fix the file and check again, or apply."),
    "import.wizard.decide_later": ("导入后即可决定", "Decide once the file is imported"),
    "import.wizard.merged": ("已合并", "merged"),
    "import.wizard.apart_done": ("两人", "apart"),
    "import.wizard.decided": ("已保存 {count} 项决定，下次导入不再询问",
                              "{count} decision(s) stored; the next import does not ask again"),
    "import.wizard.cancelled": ("已取消，未写入任何数据。", "Cancelled; nothing was written."),
    "import.wizard.export_title": ("导出报告", "Export report"),
    "import.wizard.exported": ("已导出 {count:,} 行", "Exported {count:,} lines"),
    "import.wizard.parens": ("（{words}）", "({words})"),
}
