"""Page chrome of the fixture pages (see build.py): the detail templates of the CMS
families county and town portals run on. {{BODY}} is replaced with the report body.
PAGES: file name -> (seed whose report fills the body, template, encoding)."""

TRS_XXGK = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="SiteName" content="桐柏县人民政府">
<meta name="SiteDomain" content="www.tongbai.gov.cn">
<meta name="SiteIDCode" content="4113300001">
<meta name="ColumnName" content="政府信息公开年报">
<meta name="ArticleTitle" content="桐柏县淮源镇人民政府2023年政府信息公开工作年度报告">
<meta name="PubDate" content="2024-01-20 16:21">
<meta name="ContentSource" content="淮源镇人民政府">
<title>桐柏县淮源镇人民政府2023年政府信息公开工作年度报告_桐柏县人民政府</title>
<link rel="stylesheet" href="../../../images/xxgk_detail.css">
<script src="../../../images/jquery-1.12.4.min.js"></script>
</head>
<body>
<div class="header">
  <div class="logo"><a href="http://www.tongbai.gov.cn/"><img src="../../../images/logo.png" alt="桐柏县人民政府"></a></div>
  <div class="top-links"><a href="javascript:void(0)" id="jianfan">繁體</a> | <a href="/wza/">无障碍浏览</a> | <a href="/wzdt/">网站地图</a></div>
  <ul class="nav">
    <li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li>
    <li><a href="/hdjl/">互动交流</a></li><li><a href="/zjtb/">走进桐柏</a></li>
  </ul>
</div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zfxxgk/">政府信息公开</a> &gt; <a href="/zfxxgk/fdzdgknr/">法定主动公开内容</a> &gt; <a href="./">政府信息公开年报</a></div>
<div class="xxgk-detail">
  <table class="xxgk-info" cellspacing="0" cellpadding="0">
    <tr><th>索 引 号：</th><td>11411330006003456X/2024-00003</td><th>主题分类：</th><td>政务公开</td></tr>
    <tr><th>发文机关：</th><td>淮源镇人民政府</td><th>成文日期：</th><td>2024年01月18日</td></tr>
    <tr><th>标　　题：</th><td colspan="3">桐柏县淮源镇人民政府2023年政府信息公开工作年度报告</td></tr>
    <tr><th>文　　号：</th><td></td><th>发布日期：</th><td>2024年01月20日</td></tr>
    <tr><th>有 效 性：</th><td>有效</td><th></th><td></td></tr>
  </table>
  <div class="article">
    <h1 class="article-title">桐柏县淮源镇人民政府2023年政府信息公开工作年度报告</h1>
    <div class="article-info">
      <span>发布时间：2024-01-20 16:21</span>
      <span>来源：淮源镇人民政府</span>
      <span>浏览次数：<em id="hits">356</em></span>
      <span class="font-size">字号：【<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】</span>
    </div>
    <div class="view TRS_UEDITOR trs_paper_default trs_web">
{{BODY}}
    </div>
    <div class="article-tools">
      <a href="javascript:window.print()">打印本页</a>
      <a href="javascript:window.close()">关闭窗口</a>
      <div class="bdsharebuttonbox">分享到：<a href="#" class="bds_weixin" data-cmd="weixin" title="分享到微信"></a><a href="#" class="bds_tsina" data-cmd="tsina" title="分享到新浪微博"></a></div>
      <div class="qrcode"><img src="../../../images/ewm_detail.png" width="100" height="100"><p>扫一扫在手机打开当前页</p></div>
    </div>
    <div class="prev-next">
      <p>上一篇：<a href="../202301/t20230118_1123456.html">桐柏县淮源镇人民政府2022年政府信息公开工作年度报告</a></p>
      <p>下一篇：<a href="../202401/t20240122_1456789.html">桐柏县月河镇人民政府2023年政府信息公开工作年度报告</a></p>
    </div>
  </div>
  <div class="related">
    <h3>相关链接</h3>
    <ul>
      <li><a href="../202301/t20230118_1123456.html">桐柏县淮源镇人民政府2022年政府信息公开工作年度报告</a><span>发布时间：2023-01-18</span></li>
      <li><a href="../202201/t20220119_998877.html">桐柏县淮源镇人民政府2021年政府信息公开工作年度报告</a><span>发布时间：2022-01-19</span></li>
    </ul>
  </div>
</div>
<div class="footer">
  <p><a href="/wzsm/">网站声明</a> | <a href="/lxwm/">联系我们</a> | <a href="/wzdt/">网站地图</a></p>
  <p>主办单位：桐柏县人民政府办公室　承办单位：桐柏县大数据管理中心</p>
  <p>网站标识码：4113300001　<a href="https://beian.miit.gov.cn/">豫ICP备05012345号-1</a>　<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=41133002000123">豫公网安备 41133002000123号</a></p>
  <p>技术支持：拓尔思信息技术股份有限公司</p>
  <span id="_ideConac"><a href="http://bszs.conac.cn/sitename?method=show&amp;id=ABC"><img src="../../../images/red.png"></a></span>
</div>
<script type="text/javascript">
  var _hmt = _hmt || [];
  document.getElementById("hits").innerHTML = "356";
</script>
</body>
</html>
"""

HANWEB_ART = """<html>
<head>
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="SiteName" content="洛阳市洛龙区人民政府">
<meta name="SiteDomain" content="www.luolong.gov.cn">
<meta name="ColumnName" content="政府信息公开年报">
<meta name="ArticleTitle" content="洛阳市洛龙区人民政府办公室2021年政府信息公开工作年度报告">
<meta name="PubDate" content="2022-01-20 09:35">
<meta name="ContentSource" content="洛龙区人民政府办公室">
<title>洛阳市洛龙区人民政府办公室2021年政府信息公开工作年度报告 - 洛阳市洛龙区人民政府</title>
<link href="/images/2122/style.css" rel="stylesheet" type="text/css">
<script language="javascript" src="/script/0/1809191012101.js"></script>
</head>
<body>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" id="top">
  <tr><td><img src="/images/2122/banner.jpg" width="1000" height="160"></td></tr>
  <tr><td class="nav"><a href="/">网站首页</a> <a href="/col/col1234/index.html">政务公开</a> <a href="/col/col1240/index.html">办事服务</a> <a href="/col/col1250/index.html">互动交流</a></td></tr>
</table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0">
  <tr><td class="bt_link">您现在的位置：<a href="/">首页</a>&nbsp;&gt;&nbsp;<a href="/col/col1234/index.html">政务公开</a>&nbsp;&gt;&nbsp;<a href="/col/col1238/index.html">政府信息公开年报</a></td></tr>
</table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="main">
  <tr><td>
    <table width="100%" border="0" cellspacing="0" cellpadding="0">
      <tr><td class="title" align="center">洛阳市洛龙区人民政府办公室2021年政府信息公开工作年度报告</td></tr>
      <tr><td class="art_info" align="center">发布日期：2022/1/20 09:35&nbsp;&nbsp;&nbsp;&nbsp;信息来源：洛龙区人民政府办公室&nbsp;&nbsp;&nbsp;&nbsp;浏览次数：<script language="javascript" src="/module/visitcount/articlehits.jsp?colid=1238&artid=56789"></script>&nbsp;&nbsp;&nbsp;&nbsp;【字体：<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a>】</td></tr>
      <tr><td class="bt_content"><div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">
{{BODY}}
<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div></td></tr>
      <tr><td align="right" class="art_bottom">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.opener=null;window.open('','_self');window.close();">关闭窗口</a>】</td></tr>
      <tr><td><div class="share">分享到：<a href="javascript:shareTo('weixin')">微信</a> <a href="javascript:shareTo('tsina')">微博</a></div>
        <div class="ewm"><img src="/images/2122/qrcode.png" width="90" height="90"><span>扫一扫在手机打开当前页</span></div></td></tr>
    </table>
  </td></tr>
</table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" id="footer">
  <tr><td>主办单位：洛阳市洛龙区人民政府办公室&nbsp;&nbsp;网站标识码：4103110001<br>
  <a href="https://beian.miit.gov.cn">豫ICP备11002233号-1</a>&nbsp;&nbsp;<a href="http://www.beian.gov.cn">豫公网安备 41031102000456号</a><br>
  技术支持：南京大汉网络有限公司</td></tr>
</table>
</body>
</html>
"""

VSB_INFO = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<HTML><HEAD><TITLE>绵阳市游仙区信义镇2020年政府信息公开工作年度报告-信义镇人民政府</TITLE><META Name="keywords" Content="信义镇人民政府,政府信息公开年报">
<META content="text/html; charset=UTF-8" http-equiv="Content-Type">
<LINK href="../../style/style.css" type="text/css" rel="stylesheet">
<script type="text/javascript" src="/system/resource/js/counter.js"></script>
<script type="text/javascript">_jsq_(1050,'/content.jsp',2345,1432151530)</script>
</HEAD>
<BODY>
<div class="top"><div class="logo"><img src="../../images/logo.png"></div>
<ul class="menu"><li><a href="../../index.htm">首页</a></li><li><a href="../../zwgk.htm">政务公开</a></li><li><a href="../../xxgknb.htm">政府信息公开年报</a></li></ul></div>
<div class="main">
  <div class="location">当前位置: <a href="../../index.htm">首页</a> &gt;&gt; <a href="../../zwgk.htm">政务公开</a> &gt;&gt; <a href="../../xxgknb.htm">政府信息公开年报</a> &gt;&gt; 正文</div>
<script language="javascript" src="/system/resource/js/dynclicks.js"></script><script language="javascript" src="/system/resource/js/ajax.js"></script>
<form name="_newscontent_fromname">
  <div class="content-title"><h3>绵阳市游仙区信义镇2020年政府信息公开工作年度报告</h3></div>
  <div class="content-info">发布时间：2021年01月28日 10:01&nbsp;&nbsp;&nbsp;作者：党政办&nbsp;&nbsp;&nbsp;来源：信义镇人民政府&nbsp;&nbsp;&nbsp;点击数：<script>_showDynClicks("wbnews", 1432151530, 2345)</script></div>
  <div id="vsb_content"><div class="v_news_content">
{{BODY}}
  </div></div>
  <div id="div_vote_id"></div>
  <div class="nextpage">
    <p>上一篇：<a href="2344.htm">信义镇2020年度法治政府建设情况报告</a></p>
    <p>下一篇：<a href="2346.htm">信义镇2021年政务公开工作要点</a></p>
  </div>
  <p class="tools">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</p>
</form>
</div>
<div class="footer">
  <p>版权所有：绵阳市游仙区信义镇人民政府　地址：绵阳市游仙区信义镇场镇</p>
  <p>网站标识码：5107040012　<a href="https://beian.miit.gov.cn/">蜀ICP备12003456号-2</a>　<a href="http://www.beian.gov.cn/">川公网安备 51070402000789号</a></p>
  <p>技术支持：博达软件</p>
</div>
</BODY></HTML>
"""

GENERIC_CMS = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>湟源县人民政府办公室2021年政府信息公开工作年度报告-湟源县人民政府</title>
<link rel="stylesheet" href="/static/css/common.css">
</head>
<body>
<div class="head"><div class="wrap"><a class="logo" href="/"><img src="/static/images/logo.png" alt="湟源县人民政府"></a>
  <div class="search"><form action="/search.php"><input type="text" name="q" placeholder="请输入关键字"><button>搜索</button></form></div></div></div>
<div class="menu"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/bsfw/">办事服务</a></li><li><a href="/gzhd/">公众互动</a></li></ul></div>
<div class="wrap">
  <div class="crumb">您的位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/ndbg/">政府信息公开年度报告</a></div>
  <div class="box">
    <h2 class="tit">湟源县人民政府办公室2021年政府信息公开工作年度报告</h2>
    <div class="info">阅读次数:0次&nbsp;&nbsp;&nbsp;&nbsp;发布者:admin&nbsp;&nbsp;&nbsp;&nbsp;发布日期:2022-01-14</div>
    <div class="nr">
{{BODY}}
    </div>
    <div class="fx"><span>分享到：</span><a class="wx" href="javascript:;">微信</a><a class="wb" href="javascript:;">微博</a><a class="qq" href="javascript:;">QQ空间</a></div>
    <div class="dy"><a href="javascript:window.print();">打印本页</a> <a href="javascript:window.close();">关闭窗口</a></div>
    <div class="sxp"><div>上一篇：<a href="/zwgk/ndbg/1201.html">湟源县人民政府2021年政府信息公开工作年度报告</a></div>
      <div>下一篇：<a href="/zwgk/ndbg/1188.html">湟源县发展和改革局2021年政府信息公开工作年度报告</a></div></div>
  </div>
</div>
<div class="foot"><div class="wrap">
  <p>主办单位：湟源县人民政府办公室　承办单位：湟源县融媒体中心</p>
  <p>网站标识码：6301230001　<a href="https://beian.miit.gov.cn/">青ICP备09000123号</a>　<a href="http://www.beian.gov.cn/">青公网安备 63012302000012号</a></p>
</div></div>
</body>
</html>
"""

# A CMS that lays the report out with <br> inside one cell and prints its date as 2022.01.14.
GENERIC_BR = """<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>龙湖镇2021年政府信息公开工作年度报告--新郑市人民政府</title>
</head>
<body>
<table width="1002" align="center" class="header"><tr><td><img src="/images/top.jpg"></td></tr>
<tr><td class="nav"><a href="/">首页</a>｜<a href="/zwgk/">政务公开</a>｜<a href="/xzxx/">乡镇信息</a></td></tr></table>
<table width="1002" align="center">
<tr><td class="dqwz">当前位置：<a href="/">首页</a> &gt;&gt; <a href="/xzxx/">乡镇信息</a> &gt;&gt; <a href="/xzxx/lhz/">龙湖镇</a></td></tr>
<tr><td align="center" class="bt"><strong>龙湖镇 2021年政府信息公开工作年度报告</strong></td></tr>
<tr><td align="center" class="sj">日期：2022.01.14&nbsp;&nbsp;&nbsp;&nbsp;信息来源：龙湖镇人民政府&nbsp;&nbsp;&nbsp;&nbsp;点击数：1024&nbsp;&nbsp;&nbsp;&nbsp;【<a href="javascript:window.print()">打印</a>】【<a href="javascript:window.close()">关闭</a>】</td></tr>
<tr><td class="zw" style="line-height:28px;font-size:16px;">
{{BODY}}
</td></tr>
</table>
<table width="1002" align="center" class="footer"><tr><td>
版权所有：新郑市人民政府　主办单位：新郑市人民政府办公室<br>
网站标识码：4101840001　豫ICP备10012345号　豫公网安备 41018402000111号<br>
技术支持：郑州某某网络科技有限公司</td></tr></table>
</body>
</html>
"""

ATTACHMENT_VSB = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<HTML><HEAD><TITLE>新安镇2021年政府信息公开工作年度报告-新安镇人民政府</TITLE>
<META content="text/html; charset=UTF-8" http-equiv="Content-Type"></HEAD>
<BODY>
<div class="location">当前位置: <a href="../../index.htm">首页</a> &gt;&gt; <a href="../../xxgknb.htm">政府信息公开年报</a> &gt;&gt; 正文</div>
<form name="_newscontent_fromname">
  <div class="content-title"><h3>新安镇2021年政府信息公开工作年度报告</h3></div>
  <div class="content-info">时间：2022-01-25&nbsp;&nbsp;&nbsp;作者：&nbsp;&nbsp;&nbsp;来源：党政综合办&nbsp;&nbsp;&nbsp;点击数：<script>_showDynClicks("wbnews", 1536012345, 3021)</script></div>
  <div id="vsb_content"><div class="v_news_content">
    <p style="text-indent:2em;">新安镇2021年政府信息公开工作年度报告详见附件。</p>
    <p>附件：<a href="/__local/7/3A/5C/D2E1F0A9B8C7D6E5F4A3B2C1D0E_8A9B0C1D_5A2B3.pdf">新安镇2021年政府信息公开工作年度报告.pdf</a></p>
  </div></div>
  <ul style="list-style-type:none;">
    <li>附件【<a href="/system/_content/download.jsp?urltype=news.DownloadAttachUrl&amp;owner=1536012345&amp;wbfileid=4567890" target="_blank">新安镇2021年政府信息公开工作年度报告.docx</a>】已下载<span id="nattach4567890"><script language="javascript">getClickTimes(4567890,1536012345,"wbnewsfile","attach")</script></span>次</li>
  </ul>
  <p>【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</p>
</form>
<div class="footer"><p>主办单位：新安镇人民政府　网站标识码：4103230005　豫ICP备13004567号</p></div>
</BODY></HTML>
"""

ATTACHMENT_TRS = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="ArticleTitle" content="城关镇2022年政府信息公开工作年度报告">
<title>城关镇2022年政府信息公开工作年度报告_某县人民政府</title>
</head>
<body>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zfxxgk/">政府信息公开</a> &gt; <a href="./">年报</a></div>
<div class="article">
  <h1>城关镇2022年政府信息公开工作年度报告</h1>
  <div class="info">发布时间：2023-01-30 11:20:05　来源：城关镇　【字号：<a>大</a> <a>中</a> <a>小</a>】</div>
  <div class="TRS_Editor"><p align="center"><a href="./P020230130523412345678.pdf" oldsrc="/protect/P0202301/P020230130523412345678.pdf">城关镇2022年政府信息公开工作年度报告.pdf</a></p></div>
  <div class="fujian">附件：<a href="./P020230130523412345679.xls">2022年政府信息公开工作情况统计表.xls</a></div>
  <div class="tools"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>
</div>
<div class="footer">主办单位：某县人民政府办公室　网站标识码：3301270002</div>
</body>
</html>
"""

IMAGE_ONLY = """<html>
<head>
<meta name="ArticleTitle" content="龙泉乡2021年政府信息公开工作年度报告（图片版）">
<title>龙泉乡2021年政府信息公开工作年度报告（图片版） - 某县人民政府</title>
</head>
<body>
<table width="1000" align="center"><tr><td class="bt_link">您现在的位置：<a href="/">首页</a>&nbsp;&gt;&nbsp;<a href="/col/col1238/index.html">政府信息公开年报</a></td></tr></table>
<table width="1000" align="center" class="main">
  <tr><td class="title" align="center">龙泉乡2021年政府信息公开工作年度报告（图片版）</td></tr>
  <tr><td class="art_info" align="center">发布日期：2022年1月14日&nbsp;&nbsp;&nbsp;&nbsp;信息来源：龙泉乡人民政府&nbsp;&nbsp;&nbsp;&nbsp;【字体：<a>大</a> <a>中</a> <a>小</a>】</td></tr>
  <tr><td><div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">
    <p style="text-align:center;"><img src="/picture/0/2201141010123.jpg" width="900" border="0"></p>
    <p style="text-align:center;"><img src="/picture/0/2201141010124.jpg" width="900" border="0"></p>
    <p style="text-align:center;"><img src="/picture/0/2201141010125.jpg" width="900" border="0"></p>
  <meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div></td></tr>
  <tr><td align="right">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】<img src="/images/2122/print_icon.gif" width="16" height="16"></td></tr>
</table>
<table width="1000" align="center"><tr><td>主办单位：某县人民政府办公室　网站标识码：5130000011　技术支持：南京大汉网络有限公司</td></tr></table>
</body>
</html>
"""

EMPTY = """<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>某镇2021年政府信息公开工作年度报告_某县人民政府</title></head>
<body>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zfxxgk/">政府信息公开</a> &gt; 年报</div>
<div class="article">
  <h1>某镇2021年政府信息公开工作年度报告</h1>
  <div class="info">发布时间：2022-01-21　来源：某镇人民政府　【字号：<a>大</a> <a>中</a> <a>小</a>】</div>
  <div class="TRS_Editor"><p>&nbsp;</p></div>
  <div class="tools"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>
</div>
<div class="footer"><p>主办单位：某县人民政府办公室　承办单位：某县大数据中心</p><p>网站标识码：4100000001　豫ICP备00000001号</p><p>技术支持：某某科技有限公司</p></div>
</body>
</html>
"""

LOGIN_WALL = """<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>用户登录 - 某县政务信息公开平台</title></head>
<body>
<div class="login-box">
  <h2>用户登录</h2>
  <p class="tip">该信息需登录后查看，请先登录。</p>
  <form action="/login.do" method="post">
    <label>用户名：<input type="text" name="username"></label>
    <label>密　码：<input type="password" name="password"></label>
    <label>验证码：<input type="text" name="code"><img src="/captcha.jpg"></label>
    <button type="submit">登录</button>
  </form>
</div>
<div class="footer">主办单位：某县人民政府办公室　网站标识码：4100000002</div>
</body>
</html>
"""

JS_SHELL = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>某县人民政府</title>
<link href="/static/css/app.3f1a2b.css" rel="stylesheet">
</head>
<body>
<noscript><strong>很抱歉，如果不启用 JavaScript，本站无法正常工作。请启用 JavaScript 后继续。</strong></noscript>
<div id="app"></div>
<script src="/static/js/chunk-vendors.8c1d2e.js"></script>
<script src="/static/js/app.9a8b7c.js"></script>
</body>
</html>
"""

PAGES = {
    "trs-xxgk-detail.html": ("003", TRS_XXGK, "utf-8"),
    "hanweb-art_1238_56789.html": ("004", HANWEB_ART, "gbk"),
    "vsb-info-1050-2345.htm": ("001", VSB_INFO, "utf-8"),
    "generic-cms-1190.html": ("002", GENERIC_CMS, "utf-8"),
    "generic-br-layout.html": ("000", GENERIC_BR, "utf-8"),
    "attachment-vsb-3021.htm": (None, ATTACHMENT_VSB, "utf-8"),
    "attachment-trs.html": (None, ATTACHMENT_TRS, "utf-8"),
    "image-only-hanweb.html": (None, IMAGE_ONLY, "utf-8"),
    "empty-body.html": (None, EMPTY, "utf-8"),
    "login-wall.html": (None, LOGIN_WALL, "utf-8"),
    "js-shell.html": (None, JS_SHELL, "utf-8"),
}
