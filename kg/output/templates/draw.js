/* govkg page: vis-network's drawing made cheap enough for an interaction at thousands of links.

   vis-network draws the whole map for every change; at 1,000 concepts and 4,000 links a redraw is
   most of an interaction's time (graph.js already asks for at most one a frame: govkg.draw). Here:
   - The map as vis-network drew it (links, concepts, arrow heads, labels) is kept as a picture, and
     a redraw that would draw the same map (same camera, data, positions, selection and hover) puts
     the picture back instead: searching, reading, selecting under the veil draw nothing again. What
     the page draws over the map (the veil, the neighbourhood, the overview's labels, the path's
     marks: graph.js's and trace.js's afterDrawing) is drawn every time.
   - Links in view only, set up once per colour, width and dash pattern (vis-network parses each
     one's colour and saves the context for each dashed one), each cut to the view (a long dashed
     link off screen still cost its dashes), its dashes kept in step.
   - Arrow heads only in view, and only at a zoom where they are a few pixels wide.
   What vis-network draws differently (a selected, hovered, curved or labelled link, a loop) it still
   draws itself: the map looks the same, drawn with less work. */
(function () {
  "use strict";
  var api = window.govkg, network = api.network, renderer = network.renderer, body = network.body;
  var container = document.getElementById("graph");
  var BATCH_FROM = 200;  // links drawn; below, vis-network draws each one as it always does
  if (!renderer || ["_drawEdges", "_drawNodes", "_drawArrows", "_drawSelectionBox"].some(function (k) {
    return typeof renderer[k] !== "function";
  })) return;  // another vis-network: draw as it does

  // The part of the map in view, in the map's coordinates, with a margin of `m` screen pixels.
  function inView(m) {
    var a = network.DOMtoCanvas({ x: -m, y: -m }), b = network.DOMtoCanvas({ x: container.clientWidth + m, y: container.clientHeight + m });
    return { x0: a.x, y0: a.y, x1: b.x, y1: b.y };
  }

  // ---- the map kept as a picture ----
  var kept = null, keptKey = null, keptNodes = null, keptEdges = null, reuse = false;
  var veiled = function () { return api.veiled ? api.veiled() : false; };
  function ids(list) { return list.map(function (x) { return x.id; }).sort().join(","); }
  // Everything vis-network's drawing of the map depends on but the data, whose every change gives
  // new lists of drawn concepts and links (vis-network's _updateVisibleIndices), compared as objects.
  function mapKey() {
    var v = body.view, c = network.canvas.frame.canvas, sel = network.selectionHandler, pos = 0;
    for (var i = 0; i < body.nodeIndices.length; i++) {
      var n = body.nodes[body.nodeIndices[i]];
      pos += n.x * (i + 1) + n.y * (i + 7);
    }
    var hover = sel && sel.hoverObj ? Object.keys(sel.hoverObj.nodes).concat(Object.keys(sel.hoverObj.edges)).join(",") : "?";
    // Under the veil the selection cannot be seen on the map (graph.js draws the neighbourhood again on top).
    var chosen = veiled() ? "veiled" : sel ? ids(sel.getSelectedNodes ? sel.getSelectedNodes() : []) + "|" + ids(sel.getSelectedEdges ? sel.getSelectedEdges() : []) : "?";
    return [v.scale, v.translation.x, v.translation.y, c.width, c.height, pos, hover, chosen,
            renderer.dragging, renderer.zooming, renderer.renderingActive].join(";");
  }
  network.on("beforeDrawing", function (ctx) {
    reuse = false;
    if (!kept || renderer.renderingActive || keptNodes !== body.nodeIndices || keptEdges !== body.edgeIndices) return;
    if (mapKey() !== keptKey) return;
    reuse = true;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(kept, 0, 0);
    ctx.restore();
  });
  // Called by vis-network right after the map and its labels, before afterDrawing: keep the picture.
  var drawBox = renderer._drawSelectionBox;
  renderer._drawSelectionBox = function (ctx) {
    drawBox.call(renderer, ctx);
    if (reuse || renderer.renderingActive || body.edgeIndices.length < BATCH_FROM) { if (!reuse) kept = null; return; }
    var c = network.canvas.frame.canvas;
    if (!kept) kept = document.createElement("canvas");
    if (kept.width !== c.width || kept.height !== c.height) { kept.width = c.width; kept.height = c.height; }
    var k = kept.getContext("2d");
    k.clearRect(0, 0, kept.width, kept.height);
    k.drawImage(c, 0, 0);
    keptKey = mapKey(); keptNodes = body.nodeIndices; keptEdges = body.edgeIndices;
  };
  var drawNodes = renderer._drawNodes, drawEachEdge = renderer._drawEdges;
  renderer._drawNodes = function (ctx, hidden) {
    return reuse && !hidden ? { drawExternalLabels: null } : drawNodes.call(renderer, ctx, hidden);
  };

  // ---- links ----
  // A link vis-network would draw as a plain straight line in its own colour.
  function plain(e) {
    var o = e.options, c = o.color;
    return !e.selected && !e.hover && e.from !== e.to && !(o.smooth && o.smooth.enabled) && !o.label &&
      !c.inherit && (c.opacity === undefined || c.opacity === 1) && !(o.shadow && o.shadow.enabled) && typeof c.color === "string";
  }
  // The part [t0, t1] of the segment a→b inside the box v (Liang–Barsky), or null.
  function cut(ax, ay, bx, by, v) {
    var t0 = 0, t1 = 1, dx = bx - ax, dy = by - ay, p = [-dx, dx, -dy, dy], q = [ax - v.x0, v.x1 - ax, ay - v.y0, v.y1 - ay];
    for (var i = 0; i < 4; i++) {
      if (p[i] === 0) { if (q[i] < 0) return null; continue; }
      var r = q[i] / p[i];
      if (p[i] < 0) { if (r > t1) return null; if (r > t0) t0 = r; } else { if (r < t0) return null; if (r < t1) t1 = r; }
    }
    return [t0, t1];
  }
  renderer._drawEdges = function (ctx) {
    if (reuse) return;
    var list = body.edgeIndices;
    if (list.length < BATCH_FROM) return drawEachEdge.call(renderer, ctx);
    var v = inView(10), groups = {}, keys = [], alone = [];
    for (var i = 0; i < list.length; i++) {
      var e = body.edges[list[i]];
      if (e.connected !== true) continue;
      if (!plain(e)) { alone.push(e); continue; }
      var o = e.options, dashes = o.dashes === true ? [5, 5] : o.dashes || null;
      var key = o.color.color + "|" + o.width + "|" + (dashes ? dashes.join(",") : "");
      if (!groups[key]) { groups[key] = { color: o.color.color, width: o.width, dashes: dashes, links: [] }; keys.push(key); }
      groups[key].links.push(e);
    }
    ctx.save();
    keys.forEach(function (key) {
      var g = groups[key], period = 0;
      ctx.strokeStyle = g.color;
      ctx.lineWidth = g.width;
      ctx.lineCap = g.dashes ? "round" : "butt";
      ctx.setLineDash(g.dashes || []);
      ctx.lineDashOffset = 0;
      if (g.dashes) g.dashes.forEach(function (d) { period += d; });
      if (g.dashes && g.dashes.length % 2) period *= 2;  // an odd list repeats twice over (canvas's rule)
      g.links.forEach(function (e) {
        var f = e.from, t = e.to, part = cut(f.x, f.y, t.x, t.y, v);
        if (!part) return;
        var len = Math.hypot(t.x - f.x, t.y - f.y) || 1, s = part[0];
        if (period) s = Math.floor(s * len / period) * period / len;  // start on a whole dash: the pattern stays where it was
        ctx.beginPath();
        ctx.moveTo(f.x + (t.x - f.x) * s, f.y + (t.y - f.y) * s);
        ctx.lineTo(f.x + (t.x - f.x) * part[1], f.y + (t.y - f.y) * part[1]);
        ctx.stroke();
      });
    });
    ctx.restore();
    // The rest as vis-network draws them, over the others (a selected or hovered link on top).
    for (var k = 0; k < alone.length; k++) alone[k].draw(ctx);
  };

  // ---- arrow heads: only in view, and at a zoom where they are a few pixels wide ----
  renderer._drawArrows = function (ctx) {
    if (reuse) return;
    var list = body.edgeIndices;
    if (body.view.scale < 0.3 && list.length > 300) return;
    var v = inView(40);
    for (var i = 0; i < list.length; i++) {
      var e = body.edges[list[i]], to = e.to;
      if (e.connected === true && to && to.x >= v.x0 && to.x <= v.x1 && to.y >= v.y0 && to.y <= v.y1) e.drawArrows(ctx);
    }
  };
})();
