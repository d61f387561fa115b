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
    <name>MainWindow</name>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="316"/>
        <source>Saving… (%1 waiting)</source>
        <translation>正在保存…（%1 条排队）</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="356"/>
        <source>Desk: %1</source>
        <translation>签到台：%1</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="363"/>
        <location filename="../../checkin_app/ui/main_window.py" line="365"/>
        <source>Check-in desk</source>
        <translation>签到台</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="412"/>
        <source>Scan here</source>
        <translation>扫描区</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="413"/>
        <source>Scanner input: code, then Enter</source>
        <translation>扫码枪输入：扫描二维码即可</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="414"/>
        <source>Switch desk / activity…</source>
        <translation>切换签到台 / 活动…</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="415"/>
        <source>Mute sounds</source>
        <translation>静音</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="416"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="417"/>
        <source>Search by name</source>
        <translation>按姓名查找</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="418"/>
        <source>&amp;Desk</source>
        <translation>签到台(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/main_window.py" line="419"/>
        <source>&amp;View</source>
        <translation>显示(&amp;V)</translation>
    </message>
</context>
<context>
    <name>RecentPanel</name>
    <message>
        <location filename="../../checkin_app/ui/recent_view.py" line="139"/>
        <source>Recent scans at this desk</source>
        <translation>本台最近扫描</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/recent_view.py" line="141"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/recent_view.py" line="141"/>
        <source>Verdict</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/recent_view.py" line="141"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/recent_view.py" line="141"/>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/recent_view.py" line="142"/>
        <source>Keep</source>
        <translation>保留</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/recent_view.py" line="185"/>
        <source>Click again to undo: %1</source>
        <translation>再点一次以撤销：%1</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/recent_view.py" line="189"/>
        <source>Undo selected check-in</source>
        <translation>撤销所选签到</translation>
    </message>
</context>
<context>
    <name>SearchPanel</name>
    <message>
        <location filename="../../checkin_app/ui/search_view.py" line="212"/>
        <source>Search by name (Ctrl+F)</source>
        <translation>按姓名查找（Ctrl+F）</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/search_view.py" line="213"/>
        <source>Name in Chinese, pinyin or Latin letters, or a code</source>
        <translation>输入中文姓名、拼音、外文姓名或代码</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/search_view.py" line="214"/>
        <source>Check in</source>
        <translation>签到</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/search_view.py" line="216"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/search_view.py" line="216"/>
        <source>Organisation · country/region</source>
        <translation>单位 · 国家/地区</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/search_view.py" line="216"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/search_view.py" line="217"/>
        <source>Code · status</source>
        <translation>代码 · 状态</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/search_view.py" line="262"/>
        <source>Up/Down to choose, Enter to check in, Esc back to scanning</source>
        <translation>↑/↓ 选择，回车签到，Esc 返回扫描</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/search_view.py" line="264"/>
        <source>No match yet</source>
        <translation>暂无匹配</translation>
    </message>
    <message numerus="yes">
        <location filename="../../checkin_app/ui/search_view.py" line="266"/>
        <source>%n match(es): Enter checks in the highlighted person</source>
        <translation>
            <numerusform>%n 条匹配：回车为选中的人签到</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SetupDialog</name>
    <message>
        <location filename="../../checkin_app/ui/setup_dialog.py" line="97"/>
        <source>Desk set-up</source>
        <translation>签到台设置</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/setup_dialog.py" line="99"/>
        <source>Name this desk and choose where it admits people. You can change this later from the Desk menu.</source>
        <translation>请为本签到台命名，并选择入口或活动。之后可在“签到台”菜单中更改。</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/setup_dialog.py" line="101"/>
        <source>Desk name</source>
        <translation>签到台名称</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/setup_dialog.py" line="102"/>
        <source>e.g. Hall A desk 3</source>
        <translation>例如：A 厅 3 号台</translation>
    </message>
    <message>
        <location filename="../../checkin_app/ui/setup_dialog.py" line="103"/>
        <source>Entrance or activity</source>
        <translation>入口或活动</translation>
    </message>
</context>
</TS>
