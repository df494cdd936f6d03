/* govkg page: the interface's words in English and 中文, and the language switch.

   Loaded first. Every other script of the page reads its words through govkg.t(key, vars):
     govkg.t("claims", {n: 3})          -> "3 claim(s)" or "3 条论断"
     govkg.i18n.add({en: {...}, zh: {...}})   a script adds its own words (a key missing in one
                                              language falls back to English, then to the key)
     govkg.i18n.set("zh")               switch; fires the document event "govkg:lang" ({detail: {lang}})
   Static text in the HTML carries data-i18n="key" (its text), data-i18n-title, data-i18n-placeholder
   or data-i18n-aria-label; govkg.i18n.apply() rewrites them on every switch.
   Texts only ever go in through textContent or attributes, never as HTML. */
(function () {
  "use strict";
  var STRINGS = {
    en: {
      "app.title": "govkg causal map",
      "w.concepts": "concepts", "w.links": "links", "w.claims": "claims",
      "find.label": "Find a concept",
      "find.placeholder": "中文 / 繁體 / English",
      "find.none": "no concept matches",
      "reset": "Reset",
      "reset.title": "Clear the selection and show the whole view",
      "hint": "Click a concept for its definition, or an arrow for the claims behind it (quote, source, locator, " +
              "conditions, actors, certainty). Hover for a summary.",
      "legend.concepts": "Concepts",
      "legend.links": "Links",
      "legend.claims": "Claims",
      "legend.sources": "Sources",
      "legend.tick": "(tick to show)",
      "legend.tick.sources": "(tick to show their claims)",
      "legend.causal": "causal links",
      "legend.positive": "increases (+)",
      "legend.negative": "decreases (−)",
      "legend.mixed": "sources disagree (±)",
      "legend.condition": "condition of a link",
      "legend.form-of": "form of: a way of doing the other, not a cause",
      "legend.part-of": "part of: a component of the other",
      "legend.aim": "aim: a stated goal (raise, or ⊣ reduce), not an observed effect",
      "legend.width": "width: independent works",
      "legend.named": "· {n} named as agent or target (filter under Claims)",
      "legend.none": "no claims in this view",
      "filter.actor": "Actor",
      "filter.actor.note": "(agent or target, or an actor under it: a kind or a part of it)",
      "filter.actor.any": "any actor, or none named",
      "filter.certainty": "Certainty",
      "filter.certainty.note": "(from the hedge word)",
      "filter.certainty.any": "any, norms too",
      "filter.certainty.surer": "{level} or surer",
      "class.Actor": "Actor", "class.Incentive": "Incentive", "class.Mechanism": "Mechanism",
      "class.Outcome": "Outcome", "class.Condition": "Condition", "class.Intervention": "Intervention",
      "relation.causes": "causes",
      "relation.form-of": "form of — a way of doing the other, not a cause",
      "relation.part-of": "part of — a component of the other, not a cause",
      "relation.aim": "aim — a stated goal, not an observed effect",
      "relation.definition": "definition",
      "node.also": "also: {alt}",
      "node.nodef": "(no definition yet)",
      "node.texts": "What the texts say it is",
      "node.links": "Links",
      "node.claim": "{n} claim", "node.claims": "{n} claims",
      "edge.claims": "{n} claim(s)",
      "edge.works": " from {n} independent work(s)",
      "edge.hidden": "; {n} hidden by the filters",
      "edge.condition": "{from} — condition of claims about {to}",
      "tip.condition": "{from} : condition of → {to}",
      "tip.more": "+ {n} more claim(s); {works} independent work(s). Click for all.",
      "claim.definition": "(definition)",
      "claim.conjecture": "conjecture, not in the text: ",
      "claim.agent": "agent: ", "claim.target": "target: ",
      "claim.nohedge": "(no hedge word)",
      "dt.relation": "relation", "dt.actors": "actors", "dt.hedge": "hedge", "dt.certainty": "certainty",
      "dt.source": "source", "dt.locator": "locator", "dt.conditions": "conditions", "dt.evidence": "evidence",
      "dt.scope": "scope", "dt.chain": "chain", "dt.note": "note", "dt.claim": "claim",
      "ctl.zoomin": "Zoom in (+)", "ctl.zoomout": "Zoom out (−)", "ctl.fit": "Fit the view (F)",
      "ctl.physics": "Relax the layout (physics on/off)",
      "ctl.panel": "Show or hide the side panel",
      "ctl.svg": "Download the current view as SVG", "ctl.png": "Download the current view as PNG",
      "ctl.lang": "Interface language", "ctl.labels": "Concept labels",
      "labels.zh": "中文", "labels.en": "English", "labels.both": "中文 + English",
      "keys": "Keys: arrows pan · + − zoom · F fit · / find · [ ] neighbours · Esc reset",
      "big.clustered": "{n} concepts: drawn as {k} groups of related concepts. Click a group to open it, " +
                       "or draw a part of the graph with kg render --focus CONCEPT or --source SOURCE.",
      "cluster.label": "{label} +{n}",
      "cluster.title": "{n} concepts around {label}: click to open",
      "cluster.open": "Open all groups",
      "empty": "Nothing to draw in this view."
    },
    zh: {
      "app.title": "govkg 因果图",
      "w.concepts": "个概念", "w.links": "条联系", "w.claims": "条论断",
      "find.label": "查找概念",
      "find.placeholder": "中文 / 繁體 / English",
      "find.none": "没有匹配的概念",
      "reset": "重置",
      "reset.title": "清除选择，显示整个视图",
      "hint": "点击概念查看定义，点击箭头查看其背后的论断（引文、来源、位置、条件、行动者、确定程度）。悬停可看摘要。",
      "legend.concepts": "概念",
      "legend.links": "联系",
      "legend.claims": "论断",
      "legend.sources": "来源",
      "legend.tick": "（勾选以显示）",
      "legend.tick.sources": "（勾选以显示其论断）",
      "legend.causal": "因果联系",
      "legend.positive": "增强 (+)",
      "legend.negative": "减弱 (−)",
      "legend.mixed": "来源不一致 (±)",
      "legend.condition": "联系的条件",
      "legend.form-of": "形式：做另一件事的一种方式，而非原因",
      "legend.part-of": "部分：另一者的组成部分",
      "legend.aim": "目的：所述目标（提高，或 ⊣ 减少），而非观察到的效果",
      "legend.width": "线宽：独立著作数",
      "legend.named": "· {n} 个被指为施动者或受动者（见“论断”筛选）",
      "legend.none": "此视图中没有论断",
      "filter.actor": "行动者",
      "filter.actor.note": "（施动者或受动者，或其下位类别、组成部分）",
      "filter.actor.any": "任何行动者，或未指明",
      "filter.certainty": "确定程度",
      "filter.certainty.note": "（据限定词）",
      "filter.certainty.any": "任何，含规范",
      "filter.certainty.surer": "{level} 或更确定",
      "class.Actor": "行动者", "class.Incentive": "激励", "class.Mechanism": "机制",
      "class.Outcome": "结果", "class.Condition": "条件", "class.Intervention": "干预",
      "relation.causes": "导致",
      "relation.form-of": "形式——做另一件事的一种方式，而非原因",
      "relation.part-of": "部分——另一者的组成部分，而非原因",
      "relation.aim": "目的——所述目标，而非观察到的效果",
      "relation.definition": "定义",
      "node.also": "又称：{alt}",
      "node.nodef": "（尚无定义）",
      "node.texts": "文本对它的界定",
      "node.links": "联系",
      "node.claim": "{n} 条论断", "node.claims": "{n} 条论断",
      "edge.claims": "{n} 条论断",
      "edge.works": "，来自 {n} 部独立著作",
      "edge.hidden": "；{n} 条被筛选隐藏",
      "edge.condition": "{from} —— 关于 {to} 的论断的条件",
      "tip.condition": "{from}：是 → {to} 的条件",
      "tip.more": "另有 {n} 条论断；{works} 部独立著作。点击查看全部。",
      "claim.definition": "（定义）",
      "claim.conjecture": "推测，非原文：",
      "claim.agent": "施动者：", "claim.target": "受动者：",
      "claim.nohedge": "（无限定词）",
      "dt.relation": "关系", "dt.actors": "行动者", "dt.hedge": "限定词", "dt.certainty": "确定程度",
      "dt.source": "来源", "dt.locator": "位置", "dt.conditions": "条件", "dt.evidence": "证据",
      "dt.scope": "范围", "dt.chain": "链条", "dt.note": "注", "dt.claim": "论断",
      "ctl.zoomin": "放大 (+)", "ctl.zoomout": "缩小 (−)", "ctl.fit": "适应窗口 (F)",
      "ctl.physics": "松弛布局（物理模拟开/关）",
      "ctl.panel": "显示或隐藏侧栏",
      "ctl.svg": "将当前视图下载为 SVG", "ctl.png": "将当前视图下载为 PNG",
      "ctl.lang": "界面语言", "ctl.labels": "概念标签",
      "labels.zh": "中文", "labels.en": "English", "labels.both": "中文 + English",
      "keys": "按键：方向键平移 · + − 缩放 · F 适应 · / 查找 · [ ] 相邻概念 · Esc 重置",
      "big.clustered": "{n} 个概念：按相关概念分为 {k} 组显示。点击一组将其展开，" +
                       "或用 kg render --focus 概念 或 --source 来源 只画图的一部分。",
      "cluster.label": "{label} +{n}",
      "cluster.title": "{label} 周围的 {n} 个概念：点击展开",
      "cluster.open": "展开所有组",
      "empty": "此视图中没有可画的内容。"
    }
  };
  var LANGS = ["en", "zh"];
  var i18n = { strings: STRINGS, langs: LANGS, lang: "en" };

  function t(key, vars) {
    var s = STRINGS[i18n.lang][key];
    if (s === undefined) s = STRINGS.en[key];
    if (s === undefined) s = key;
    if (vars) {
      s = s.replace(/\{(\w+)\}/g, function (m, k) { return Object.prototype.hasOwnProperty.call(vars, k) ? String(vars[k]) : m; });
    }
    return s;
  }
  i18n.add = function (table) {
    Object.keys(table).forEach(function (lang) {
      if (!STRINGS[lang]) return;
      Object.keys(table[lang]).forEach(function (k) { STRINGS[lang][k] = table[lang][k]; });
    });
  };
  var ATTRS = [["data-i18n-title", "title"], ["data-i18n-placeholder", "placeholder"], ["data-i18n-aria-label", "aria-label"]];
  i18n.apply = function (root) {
    root = root || document;
    root.querySelectorAll("[data-i18n]").forEach(function (e) {
      e.textContent = t(e.getAttribute("data-i18n"), e.dataset.i18nVars ? JSON.parse(e.dataset.i18nVars) : null);
    });
    ATTRS.forEach(function (pair) {
      root.querySelectorAll("[" + pair[0] + "]").forEach(function (e) { e.setAttribute(pair[1], t(e.getAttribute(pair[0]))); });
    });
  };
  i18n.set = function (lang) {
    if (LANGS.indexOf(lang) < 0 || lang === i18n.lang) return;
    i18n.lang = lang;
    document.documentElement.setAttribute("lang", lang === "zh" ? "zh-Hans" : "en");
    i18n.apply(document);
    document.dispatchEvent(new CustomEvent("govkg:lang", { detail: { lang: lang } }));
  };
  i18n.t = t;
  var govkg = window.govkg = window.govkg || {};
  govkg.i18n = i18n;
  govkg.t = t;
})();
