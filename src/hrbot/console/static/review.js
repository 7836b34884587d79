/* 审阅标注: mark entities by selecting text in an employee's message.
 *
 * Each message's text is a single text node (rendered and escaped by the server); the Selection
 * API gives the selected range in it. Offsets are converted from UTF-16 units to characters
 * (code points), as the server counts them. Everything is written with textContent and DOM
 * nodes, never as HTML, so a message can never add markup or script to the page. The spans are
 * kept in the form's hidden "entities" field (JSON), which the server checks again. */
(function () {
  "use strict";

  function codePoints(text, units) {
    return Array.from(text.slice(0, units)).length;
  }

  function surface(text, span) {
    return Array.from(text).slice(span.start, span.end).join("");
  }

  function Item(node) {
    this.node = node;
    this.text = node.querySelector(".utterance");
    this.form = node.querySelector("form.annotate");
    this.field = this.form.querySelector("input.entities");
    this.list = this.form.querySelector("ul.spans");
    this.tools = this.form.querySelector(".span-tools");
    this.selected = this.form.querySelector(".selected");
    this.type = this.form.querySelector("select.entity-type");
    this.pending = null;
    try {
      this.spans = JSON.parse(this.field.value || "[]");
    } catch (error) {
      this.spans = [];
    }
    var choices = document.getElementById("entity-choices");
    if (choices && this.type) {
      this.type.replaceChildren(document.importNode(choices.content, true));
    }
    var self = this;
    this.form.querySelector("button.add-span").addEventListener("click", function () { self.add(); });
    this.render();
  }

  Item.prototype.content = function () {
    return this.text.textContent || "";
  };

  Item.prototype.render = function () {
    var self = this;
    var text = this.content();
    this.spans.sort(function (a, b) { return a.start - b.start || a.end - b.end; });
    this.field.value = JSON.stringify(this.spans);
    var rows = this.spans.map(function (span, index) {
      var row = document.createElement("li");
      row.className = "span";
      var word = document.createElement("span");
      word.className = "surface";
      word.textContent = surface(text, span);
      var name = document.createElement("code");
      name.textContent = span.entity;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link remove-span";
      remove.title = "删除此实体";
      remove.textContent = "×";
      remove.addEventListener("click", function () {
        self.spans.splice(index, 1);
        self.render();
      });
      row.append(word, " → ", name, " ", remove);
      return row;
    });
    if (!rows.length) {
      var none = document.createElement("li");
      none.className = "muted none";
      none.textContent = "无";
      rows.push(none);
    }
    this.list.replaceChildren.apply(this.list, rows);
  };

  Item.prototype.offer = function (start, end) {
    this.pending = { start: start, end: end };
    this.selected.textContent = surface(this.content(), this.pending);
    this.tools.hidden = false;
  };

  Item.prototype.add = function () {
    if (!this.pending || !this.type.value) { return; }
    var span = { start: this.pending.start, end: this.pending.end, entity: this.type.value };
    var overlaps = this.spans.some(function (other) { return span.start < other.end && other.start < span.end; });
    if (overlaps) {
      this.selected.textContent = "与已有实体重叠,请先删除原来的实体";
      return;
    }
    this.spans.push(span);
    this.pending = null;
    this.tools.hidden = true;
    this.render();
    var selection = window.getSelection();
    if (selection) { selection.removeAllRanges(); }
  };

  function position(item, container, offset) {
    var node = item.text.firstChild;
    if (container === node) { return offset; }
    if (container === item.text) { return offset === 0 ? 0 : item.content().length; }
    return null;
  }

  function watchSelection(items) {
    document.addEventListener("selectionchange", function () {
      var selection = window.getSelection();
      if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return; }
      var range = selection.getRangeAt(0);
      items.forEach(function (item) {
        var start = position(item, range.startContainer, range.startOffset);
        var end = position(item, range.endContainer, range.endOffset);
        if (start === null || end === null || start === end) { return; }
        var text = item.content();
        item.offer(codePoints(text, Math.min(start, end)), codePoints(text, Math.max(start, end)));
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var items = [];
    document.querySelectorAll("li.review-item").forEach(function (node) {
      if (node.querySelector("form.annotate") && node.querySelector(".utterance")) {
        items.push(new Item(node));
      }
    });
    watchSelection(items);
  });
})();
