<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CountsPanel</name>
    <message>
        <location filename="../../checkin_app/ui/counts_view.py" line="65"/>
        <source>Attendance</source>
        <translation>入场统计</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/counts_view.py" line="66"/>
        <source>checked in / registered</source>
        <translation>已签到 / 应到</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/counts_view.py" line="67"/>
        <source>inside now</source>
        <translation>当前在场</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/counts_view.py" line="68"/>
        <source>capacity</source>
        <translation>容量</translation>
    </message>
</context>
<context>
    <name>ImportWizard</name>
    <message>
        <location filename="../../checkin_app/ui/import_wizard.py" line="76"/>
        <source>en</source>
        <comment>language code of this translation</comment>
        <translation>zh</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="453"/>
        <source>Saving… (%1 waiting)</source>
        <translation>正在保存…（%1 条排队）</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="503"/>
        <source>Desk: %1</source>
        <translation>签到台：%1</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="510"/>
        <location filename="../../checkin_app/ui/main_window.py" line="512"/>
        <source>Check-in desk</source>
        <translation>签到台</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="610"/>
        <source>Scan here</source>
        <translation>扫描区</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="611"/>
        <source>Scanner input: code, then Enter</source>
        <translation>扫码枪输入：扫描二维码即可</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="612"/>
        <source>Switch desk / activity…</source>
        <translation>切换签到台 / 活动…</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="613"/>
        <source>Mute sounds</source>
        <translation>静音</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="614"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="615"/>
        <source>Search by name</source>
        <translation>按姓名查找</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="616"/>
        <source>&amp;Desk</source>
        <translation>签到台(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="617"/>
        <source>&amp;View</source>
        <translation>显示(&amp;V)</translation>
    </message>
</context>
<context>
    <name>RecentPanel</name>
    <message>
        <location filename="../../checkin_app/ui/recent_view.py" line="192"/>
        <source>Recent scans at this desk</source>
        <translation>本台最近扫描</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/recent_view.py" line="194"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/recent_view.py" line="194"/>
        <source>Verdict</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/recent_view.py" line="194"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/recent_view.py" line="194"/>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Keep</source>
        <translation type="vanished">保留</translation>
    </message>
    <message>
        <source>Click again to undo: %1</source>
        <translation type="vanished">再点一次以撤销：%1</translation>
    </message>
    <message>
        <source>Undo selected check-in</source>
        <translation type="vanished">撤销所选签到</translation>
    </message>
</context>
<context>
    <name>SearchPanel</name>
    <message>
        <location filename="../../checkin_app/ui/search_view.py" line="386"/>
        <source>Search by name (Ctrl+F)</source>
        <translation>按姓名查找（Ctrl+F）</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/search_view.py" line="387"/>
        <source>Name in Chinese, pinyin or Latin letters, or a code</source>
        <translation>输入中文姓名、拼音、外文姓名或代码</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/search_view.py" line="388"/>
        <source>Check in</source>
        <translation>签到</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/search_view.py" line="392"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/search_view.py" line="392"/>
        <source>Organisation · country/region</source>
        <translation>单位 · 国家/地区</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/search_view.py" line="392"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/search_view.py" line="393"/>
        <source>Code · status</source>
        <translation>代码 · 状态</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/search_view.py" line="456"/>
        <source>Up/Down to choose, Enter to check in, Esc back to scanning</source>
        <translation>↑/↓ 选择，回车签到，Esc 返回扫描</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/search_view.py" line="458"/>
        <source>No match yet</source>
        <translation>暂无匹配</translation>
    </message>
    <message numerus="yes">
        <location filename="../../checkin_app/ui/search_view.py" line="465"/>
        <source>%n match(es): Enter checks in the highlighted person</source>
        <translation>
            <numerusform>%n 条匹配：回车为选中的人签到</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SetupDialog</name>
    <message>
        <source>Desk set-up</source>
        <translation type="vanished">签到台设置</translation>
    </message>
    <message>
        <source>Name this desk and choose where it admits people. You can change this later from the Desk menu.</source>
        <translation type="vanished">请为本签到台命名，并选择入口或活动。之后可在“签到台”菜单中更改。</translation>
    </message>
    <message>
        <source>Desk name</source>
        <translation type="vanished">签到台名称</translation>
    </message>
    <message>
        <source>e.g. Hall A desk 3</source>
        <translation type="vanished">例如：A 厅 3 号台</translation>
    </message>
    <message>
        <source>Entrance or activity</source>
        <translation type="vanished">入口或活动</translation>
    </message>
</context>
</TS>
