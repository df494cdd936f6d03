// Search over the index embedded in the page: every word of the query (folded as the index is) must occur.
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("search-index").textContent);
  var input = document.getElementById("q"), list = document.getElementById("results");
  var status = document.getElementById("search-status");
  var KINDS = { concept: "Concept", claim: "Claim", chain: "Causal chain", source: "Source", text: "In the text of", work: "Work" };
  var LIMIT = 50;
  function fold(text) {
    var out = "";
    for (var ch of text) { out += Object.prototype.hasOwnProperty.call(data.fold, ch) ? data.fold[ch] : ch; }
    return out.toLowerCase();
  }
  function search() {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!words.length) { status.textContent = "Type at least one character."; return; }
    var found = data.entries.filter(function (e) { return words.every(function (w) { return e[4].indexOf(w) >= 0; }); });
    found.slice(0, LIMIT).forEach(function (e) {
      var li = document.createElement("li"), a = document.createElement("a"), kind = document.createElement("span");
      kind.className = "meta";
      kind.textContent = KINDS[e[0]] + ": ";
      a.href = e[1];
      a.textContent = e[2];
      li.appendChild(kind);
      li.appendChild(a);
      if (e[3]) { var d = document.createElement("span"); d.className = "meta"; d.lang = e[5]; d.textContent = e[3]; li.appendChild(d); }
      list.appendChild(li);
    });
    status.textContent = found.length ? (found.length + " found" + (found.length > LIMIT ? ", the first " + LIMIT + " shown" : "")) : "Nothing found.";
  }
  document.getElementById("search").addEventListener("submit", function (ev) { ev.preventDefault(); search(); });
  input.addEventListener("input", search);
  var params = new URLSearchParams(location.search);
  if (params.get("q")) { input.value = params.get("q"); search(); }
})();
