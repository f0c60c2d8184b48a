/* medialib: small enhancements; every page works without this file. No framework, no inline code.
 * Player: chapters and transcript follow playback and seek on click, speed, captions, text size,
 * resume (kept in this browser only), share (copy a link to this moment), find in transcript,
 * search this talk (its moments listed in place), shortcuts. The embed page (/embed/<slug>) runs
 * the same player code. */
(function () {
  "use strict";
  var doc = document;
  var root = doc.documentElement;
  var KEY_TEXT = "medialib:large-text";
  var KEY_SPEED = "medialib:speed";
  var KEY_CAPTIONS = "medialib:captions";
  var KEY_POSITIONS = "medialib:positions";

  var store = {
    get: function (key) {
      try { return window.localStorage.getItem(key); } catch (e) { return null; }
    },
    set: function (key, value) {
      try { window.localStorage.setItem(key, value); } catch (e) { /* private mode: no memory */ }
    },
    json: function (key) {
      try { return JSON.parse(store.get(key) || "{}") || {}; } catch (e) { return {}; }
    }
  };

  // Applied before the page paints: JavaScript-only controls and larger text appear at once,
  // without moving the page about.
  root.classList.add("js");
  if (store.get(KEY_TEXT) === "1") { root.classList.add("large-text"); }

  // Words a patient reads, in the page's language: the #ui-text data block the template writes
  // (medialib/web/locale.py, SCRIPT_MESSAGES), English as written when a message is missing.
  // Placeholders are %(name)s, as in the message catalogs.
  var uiText = null;
  function T(message, values) {
    if (uiText === null) {
      var block = doc.getElementById("ui-text");
      try { uiText = (block && JSON.parse(block.textContent)) || {}; } catch (e) { uiText = {}; }
    }
    var text = typeof uiText[message] === "string" ? uiText[message] : message;
    return text.replace(/%\((\w+)\)s/g, function (all, name) {
      return values && values[name] !== undefined ? String(values[name]) : all;
    });
  }

  function clock(seconds) {
    var total = Math.max(0, Math.floor(seconds || 0));
    var h = Math.floor(total / 3600), m = Math.floor(total / 60) % 60, s = total % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return h ? h + ":" + pad(m) + ":" + pad(s) : pad(m) + ":" + pad(s);
  }

  function parseTime(text) {
    // "90", "90.5", "1m30s", "1h2m3s" -> seconds, or NaN
    if (!text) { return NaN; }
    if (/^\d+(\.\d+)?$/.test(text)) { return parseFloat(text); }
    var m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text);
    if (!m || !(m[1] || m[2] || m[3])) { return NaN; }
    return (parseInt(m[1] || "0", 10) * 3600) + (parseInt(m[2] || "0", 10) * 60) + parseFloat(m[3] || "0");
  }

  function positions() { return store.json(KEY_POSITIONS); }

  function ready(fn) {
    if (doc.readyState !== "loading") { fn(); } else { doc.addEventListener("DOMContentLoaded", fn); }
  }

  function unhide(el) { if (el) { el.hidden = false; } }

  // ---- every page ----------------------------------------------------------------------------

  function initTextSize() {
    var buttons = doc.querySelectorAll(".text-size-toggle");
    function sync() {
      var on = root.classList.contains("large-text");
      buttons.forEach(function (b) { b.setAttribute("aria-pressed", on ? "true" : "false"); });
    }
    buttons.forEach(function (b) {
      b.addEventListener("click", function () {
        var on = root.classList.toggle("large-text");
        store.set(KEY_TEXT, on ? "1" : "0");
        sync();
      });
    });
    sync();
  }

  function initPrint() {
    doc.querySelectorAll(".print-button").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  }

  function initContinue() {
    var section = doc.getElementById("continue");
    if (!section) { return; }
    var list = section.querySelector("ul");
    var saved = positions();
    var items = Object.keys(saved).map(function (slug) {
      var item = saved[slug] || {};
      item.slug = slug;
      return item;
    }).filter(function (item) {
      return typeof item.t === "number" && item.title && /^\/webcasts\/[a-z0-9-]+$/.test(item.url || "");
    }).sort(function (a, b) { return (b.at || 0) - (a.at || 0); }).slice(0, 4);
    if (!items.length) { return; }
    items.forEach(function (item) {
      var li = doc.createElement("li");
      var a = doc.createElement("a");
      a.href = (section.getAttribute("data-base") || "/").replace(/\/$/, "") + item.url + "?t=" + Math.floor(item.t);
      a.textContent = item.title;
      var p = doc.createElement("p");
      p.className = "meta";
      p.textContent = item.d ? T("Stopped at %(time)s of %(total)s", { time: clock(item.t), total: clock(item.d) })
        : T("Stopped at %(time)s", { time: clock(item.t) });
      li.appendChild(a);
      li.appendChild(p);
      if (item.d) {
        var bar = doc.createElement("progress");
        bar.max = item.d;
        bar.value = Math.min(item.t, item.d);
        bar.setAttribute("aria-label", T("Watched %(time)s of %(total)s", { time: clock(item.t), total: clock(item.d) }));
        li.appendChild(bar);
      }
      var forget = doc.createElement("button");
      forget.type = "button";
      forget.className = "button quiet";
      forget.textContent = T("Remove from this list");
      forget.addEventListener("click", function () {
        var all = positions();
        delete all[item.slug];
        store.set(KEY_POSITIONS, JSON.stringify(all));
        li.remove();
        if (!list.children.length) { section.hidden = true; }
      });
      var row = doc.createElement("p");
      row.appendChild(forget);
      li.appendChild(row);
      list.appendChild(li);
    });
    section.hidden = false;
  }

  // Share: copy the page's link or a link to the moment playing (the email link needs no script).
  function initShare() {
    var box = doc.getElementById("share");
    if (!box) { return; }
    var media = doc.getElementById("player");
    var status = doc.getElementById("share-status");
    var fallback = doc.getElementById("copy-fallback");
    var input = doc.getElementById("copy-url");
    var page = box.getAttribute("data-url") || window.location.origin + window.location.pathname;
    function say(text) { if (status) { status.textContent = text; } }
    function copy(url, done) {
      function manual() {
        unhide(fallback);
        input.value = url;
        input.focus();
        input.select();
        say(T("Copy the link below."));
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(function () {
          if (fallback) { fallback.hidden = true; }
          say(done);
        }, manual);
      } else {
        manual();
      }
    }
    box.querySelectorAll("button[data-share]").forEach(function (b) {
      b.addEventListener("click", function () {
        if (b.getAttribute("data-share") === "moment" && media) {
          var t = Math.floor(media.currentTime || 0);
          copy(page + "?t=" + t, T("Link copied. It starts at %(time)s.", { time: clock(t) }));
        } else {
          copy(page, T("Link copied."));
        }
      });
    });
  }

  // ---- the player page -----------------------------------------------------------------------

  function initPlayer(watch) {
    var media = doc.getElementById("player");
    var slug = watch.getAttribute("data-slug");
    var title = watch.getAttribute("data-title");
    var status = doc.getElementById("status");
    var body = doc.getElementById("transcript-body");
    var cues = Array.prototype.slice.call(watch.querySelectorAll("#transcript .cue"));
    var starts = cues.map(function (c) { return parseFloat(c.getAttribute("data-start")); });
    var ends = cues.map(function (c) { return parseFloat(c.getAttribute("data-end")); });
    var texts = cues.map(function (c) { return c.textContent; });
    var chapters = Array.prototype.slice.call(watch.querySelectorAll(".chapters a[data-start]"));
    var nowTag = doc.createElement("span");
    nowTag.className = "vh";
    nowTag.textContent = " " + T("(now playing)");
    nowTag.lang = doc.documentElement.lang || "en";  // the page's words, inside a transcript's cue
    var nowLine = doc.getElementById("now-line");
    var current = -1;
    var currentChapter = chapters.findIndex(function (a) { return a.hasAttribute("aria-current"); });
    var following = true;
    var autoscroll = doc.getElementById("autoscroll");
    var followButton = doc.getElementById("follow");

    function say(text) { if (status) { status.textContent = text; } }

    // -- where we are: transcript line and chapter ---------------------------------------------

    function indexAt(t) {
      var lo = 0, hi = starts.length - 1, found = -1;
      while (lo <= hi) {
        var mid = (lo + hi) >> 1;
        if (starts[mid] <= t + 0.05) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
      }
      return found;
    }

    function markCue(i) {
      if (i === current) { return; }
      if (current >= 0) { cues[current].removeAttribute("aria-current"); }
      current = i;
      if (i >= 0) {
        cues[i].setAttribute("aria-current", "true");
        cues[i].appendChild(nowTag);
        if (following && (!autoscroll || autoscroll.checked)) { scrollToCue(cues[i]); }
      } else if (nowTag.parentNode) {
        nowTag.parentNode.removeChild(nowTag);
      }
    }

    function markChapter(t) {
      var found = -1;
      chapters.forEach(function (a, i) {
        if (parseFloat(a.getAttribute("data-start")) <= t + 0.05) { found = i; }
      });
      if (found === currentChapter) { return; }
      if (currentChapter >= 0) { chapters[currentChapter].removeAttribute("aria-current"); }
      currentChapter = found;
      if (found >= 0) { chapters[found].setAttribute("aria-current", "true"); }
    }

    function update(t) {
      var i = indexAt(t);
      markCue(i);
      markChapter(t);
      if (nowLine) {
        nowLine.textContent = i >= 0 && t < ends[i] + 0.5 ? texts[i] : "";
      }
    }

    var scrolling = false;
    function scrollToCue(cue) {
      if (!body) { return; }
      var box = body.getBoundingClientRect();
      var r = cue.getBoundingClientRect();
      if (r.top >= box.top + box.height * 0.1 && r.bottom <= box.bottom - box.height * 0.35) { return; }
      scrolling = true;
      body.scrollTop += r.top - box.top - box.height * 0.25;
      window.setTimeout(function () { scrolling = false; }, 50);
    }

    function stopFollowing() {
      if (!following || scrolling) { return; }
      following = false;
      unhide(followButton);
    }

    function startFollowing() {
      following = true;
      if (followButton) { followButton.hidden = true; }
      if (current >= 0) { scrollToCue(cues[current]); }
    }

    if (body) {
      ["wheel", "touchmove"].forEach(function (name) {
        body.addEventListener(name, stopFollowing, { passive: true });
      });
      body.addEventListener("pointerdown", function (e) { if (e.target === body) { stopFollowing(); } });
      body.addEventListener("keydown", function (e) {
        if (["PageUp", "PageDown", "Home", "End", "ArrowUp", "ArrowDown"].indexOf(e.key) >= 0) { stopFollowing(); }
      });
    }
    if (followButton) { followButton.addEventListener("click", startFollowing); }
    if (autoscroll) {
      autoscroll.addEventListener("change", function () {
        if (autoscroll.checked) { startFollowing(); }
      });
    }

    // -- search within the transcript (works with or without a player) ------------------------

    var findInput = doc.getElementById("find-input");
    var findCount = doc.getElementById("find-count");
    var marks = [];
    var markIndex = -1;
    var findTimer = null;
    var lastQuery = "";

    function clearMarks() {
      cues.forEach(function (cue, i) {
        if (cue.querySelector("mark")) {
          cue.textContent = texts[i];
          if (i === current) { cue.appendChild(nowTag); }
        }
      });
      marks = [];
      markIndex = -1;
    }

    function find() {
      var query = (findInput.value || "").trim().toLowerCase();
      lastQuery = query;
      clearMarks();
      if (query.length < 2) {
        findCount.textContent = query ? T("Type at least 2 letters.") : "";
        return;
      }
      cues.forEach(function (cue, i) {
        var text = texts[i];
        var lower = text.toLowerCase();
        var at = lower.indexOf(query);
        if (at < 0) { return; }
        var frag = doc.createDocumentFragment();
        var from = 0;
        while (at >= 0) {
          frag.appendChild(doc.createTextNode(text.slice(from, at)));
          var mark = doc.createElement("mark");
          mark.textContent = text.slice(at, at + query.length);
          frag.appendChild(mark);
          marks.push(mark);
          from = at + query.length;
          at = lower.indexOf(query, from);
        }
        frag.appendChild(doc.createTextNode(text.slice(from)));
        cue.textContent = "";
        cue.appendChild(frag);
        if (i === current) { cue.appendChild(nowTag); }
      });
      if (!marks.length) {
        findCount.textContent = T("No matches for “%(q)s”.", { q: findInput.value.trim() });
        return;
      }
      step(1);
    }

    function step(direction) {
      if (!marks.length) { return; }
      if (markIndex >= 0) { marks[markIndex].classList.remove("current"); }
      markIndex = (markIndex + direction + marks.length) % marks.length;
      var mark = marks[markIndex];
      mark.classList.add("current");
      findCount.textContent = T("%(n)s of %(total)s", { n: markIndex + 1, total: marks.length });
      following = false;
      unhide(followButton);
      if (body) {
        var box = body.getBoundingClientRect();
        var r = mark.getBoundingClientRect();
        scrolling = true;
        body.scrollTop += r.top - box.top - box.height * 0.3;
        window.setTimeout(function () { scrolling = false; }, 50);
      }
    }

    if (findInput && findCount) {
      findInput.addEventListener("input", function () {
        window.clearTimeout(findTimer);
        findTimer = window.setTimeout(find, 250);
      });
      findInput.addEventListener("keydown", function (e) {
        if (e.key === "Enter") {
          e.preventDefault();
          window.clearTimeout(findTimer);
          if (!marks.length || findInput.value.trim().toLowerCase() !== lastQuery) {
            find();
          } else {
            step(e.shiftKey ? -1 : 1);
          }
        }
      });
      doc.getElementById("find-next").addEventListener("click", function () {
        if (!marks.length) { find(); } else { step(1); }
      });
      doc.getElementById("find-prev").addEventListener("click", function () {
        if (!marks.length) { find(); } else { step(-1); }
      });
    }

    // -- search this talk: the form's results replace the old ones, without leaving the page ----

    var talkForm = doc.getElementById("talk-search-form");
    var talkResults = doc.getElementById("talk-results");
    var talkRequest = 0;
    if (talkForm && talkResults && window.fetch && window.DOMParser) {
      talkForm.addEventListener("submit", function (e) {
        var q = (talkForm.elements.q.value || "").trim();
        if (!q) { return; }
        e.preventDefault();
        var url = talkForm.getAttribute("action").split("#")[0] + "?q=" + encodeURIComponent(q);
        if (talkForm.elements.lang) { url += "&lang=" + encodeURIComponent(talkForm.elements.lang.value); }
        var mine = ++talkRequest;
        talkResults.setAttribute("aria-busy", "true");
        fetch(url, { credentials: "same-origin" })
          .then(function (response) {
            if (!response.ok) { throw new Error("HTTP " + response.status); }
            return response.text();
          })
          .then(function (html) {
            if (mine !== talkRequest) { return; }
            var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("talk-results");
            if (!fresh) { throw new Error("no results in the page"); }
            // The server's own markup (escaped there), moved over node by node.
            talkResults.textContent = "";
            Array.prototype.slice.call(fresh.childNodes).forEach(function (node) {
              talkResults.appendChild(doc.importNode(node, true));
            });
            talkResults.removeAttribute("aria-busy");
            var count = doc.getElementById("talk-count");
            say(count ? count.textContent : "");
            if (window.history && history.replaceState) { history.replaceState(null, "", url + "#moments"); }
          })
          .catch(function () {
            if (mine === talkRequest) { talkForm.submit(); }  // the plain form, then
          });
      });
    }

    if (!media) { return; }

    // -- playing -------------------------------------------------------------------------------

    function seek(t, play) {
      t = Math.max(0, t);
      if (media.duration && isFinite(media.duration)) { t = Math.min(t, Math.max(0, media.duration - 0.25)); }
      media.currentTime = t;
      update(t);
      if (play && media.paused) {
        var p = media.play();
        if (p && p.catch) { p.catch(function () { /* the user can press play */ }); }
      }
    }

    function togglePlay() {
      if (media.paused) {
        var p = media.play();
        if (p && p.catch) { p.catch(function () {}); }
      } else {
        media.pause();
      }
    }

    ["timeupdate", "seeked", "pause", "play", "loadedmetadata"].forEach(function (name) {
      media.addEventListener(name, function () { update(media.currentTime); });
    });

    function onJump(e) {
      if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) { return; }
      var link = e.target.closest("a[data-start]");
      if (!link) { return; }
      e.preventDefault();
      following = true;
      if (followButton) { followButton.hidden = true; }
      seek(parseFloat(link.getAttribute("data-start")), true);
    }
    watch.addEventListener("click", onJump);

    // A link to the transcript in another language reloads the page there, at the moment playing.
    watch.querySelectorAll(".transcript-langs a").forEach(function (a) {
      a.addEventListener("click", function () {
        var url = new URL(a.href);
        var t = Math.floor(media.currentTime || 0);
        if (t >= 1) { url.searchParams.set("t", String(t)); } else { url.searchParams.delete("t"); }
        a.href = url.toString();
      });
    });

    // -- our controls --------------------------------------------------------------------------

    watch.querySelectorAll("[data-skip]").forEach(function (b) {
      b.addEventListener("click", function () {
        var by = parseFloat(b.getAttribute("data-skip"));
        seek(media.currentTime + by, false);
        say(T(by < 0 ? "Back %(n)s seconds, at %(time)s." : "Forward %(n)s seconds, at %(time)s.",
              { n: Math.abs(by), time: clock(media.currentTime) }));
      });
    });

    var speed = doc.getElementById("speed");
    function setSpeed(rate, announce) {
      if (!(rate >= 0.5 && rate <= 2)) { return; }
      media.playbackRate = rate;
      media.defaultPlaybackRate = rate;
      if (speed) { speed.value = String(rate); }
      store.set(KEY_SPEED, String(rate));
      if (announce) { say(rate === 1 ? T("Speed normal.") : T("Speed %(rate)s×.", { rate: rate })); }
    }
    if (speed) {
      speed.addEventListener("change", function () { setSpeed(parseFloat(speed.value), true); });
      var savedSpeed = parseFloat(store.get(KEY_SPEED) || "1");
      if (savedSpeed !== 1) { setSpeed(savedSpeed, false); }
      media.addEventListener("ratechange", function () {
        var option = speed.querySelector('option[value="' + media.playbackRate + '"]');
        if (option) { speed.value = option.value; }
      });
    }

    var captionsButton = doc.getElementById("captions-toggle");
    var chosenTrack = null;
    function captionTracks() {
      return Array.prototype.filter.call(media.textTracks, function (t) {
        return t.kind === "captions" || t.kind === "subtitles";
      });
    }
    function setCaptions(on, announce) {
      var tracks = captionTracks();
      // Turning captions back on shows the language that was last showing (English at first).
      var showing = tracks.filter(function (t) { return t.mode === "showing"; })[0];
      var preferred = media.querySelector("track[default][kind=captions]");
      chosenTrack = showing || chosenTrack || (preferred && preferred.track) || tracks[0] || null;
      tracks.forEach(function (t) { t.mode = on && t === chosenTrack ? "showing" : "hidden"; });
      if (nowLine) { nowLine.hidden = !on; }
      if (captionsButton) { captionsButton.setAttribute("aria-pressed", on ? "true" : "false"); }
      store.set(KEY_CAPTIONS, on ? "on" : "off");
      if (announce) { say(on ? T("Captions on.") : T("Captions off.")); }
    }
    if (captionsButton) {
      captionsButton.addEventListener("click", function () {
        setCaptions(captionsButton.getAttribute("aria-pressed") !== "true", true);
      });
      setCaptions(store.get(KEY_CAPTIONS) !== "off", false);
    }
    // The chapters track is loaded (mode "hidden") so its cues are there for anyone who asks.
    for (var k = 0; k < media.textTracks.length; k++) {
      if (media.textTracks[k].kind === "chapters") { media.textTracks[k].mode = "hidden"; }
    }

    // -- where to start: ?t=, #t=, or an offer to resume ----------------------------------------

    var params = new URLSearchParams(window.location.search);
    var hash = /(?:^#|&)t=([^&]+)/.exec(window.location.hash);
    var start = parseTime(hash ? decodeURIComponent(hash[1]) : params.get("t"));
    if (isFinite(start) && start > 0) {
      var apply = function () {
        if (Math.abs(media.currentTime - start) > 1) { seek(start, false); } else { update(start); }
      };
      if (media.readyState >= 1) { apply(); } else { media.addEventListener("loadedmetadata", apply, { once: true }); }
      update(start);
    } else {
      offerResume();
    }

    function offerResume() {
      var saved = positions()[slug];
      var box = doc.getElementById("resume");
      if (!saved || typeof saved.t !== "number" || saved.t < 10 || !box) { return; }
      if (saved.d && saved.t > saved.d - 10) { return; }
      box.querySelectorAll(".resume-time").forEach(function (s) { s.textContent = clock(saved.t); });
      unhide(box);
      media.addEventListener("play", function () { box.hidden = true; }, { once: true });
      doc.getElementById("resume-yes").addEventListener("click", function () {
        box.hidden = true;
        seek(saved.t, true);
        media.focus();
        say(T("Resuming from %(time)s.", { time: clock(saved.t) }));
      });
      doc.getElementById("resume-no").addEventListener("click", function () {
        box.hidden = true;
        seek(0, false);
        media.focus();
      });
    }

    // -- remember the position, in this browser only --------------------------------------------

    var lastSaved = 0;
    function remember(force) {
      var t = media.currentTime;
      var now = Date.now();
      if ((!force && now - lastSaved < 5000) || t < 5) { return; }
      lastSaved = now;
      var all = positions();
      all[slug] = { t: Math.round(t), d: Math.round(media.duration || 0) || 0, title: title, url: "/webcasts/" + slug, at: now };
      var slugs = Object.keys(all).sort(function (a, b) { return (all[b].at || 0) - (all[a].at || 0); });
      slugs.slice(20).forEach(function (s) { delete all[s]; });
      store.set(KEY_POSITIONS, JSON.stringify(all));
    }
    media.addEventListener("timeupdate", function () { remember(false); });
    media.addEventListener("pause", function () { remember(true); });
    media.addEventListener("seeked", function () { if (media.paused) { remember(true); } });
    media.addEventListener("ended", function () {
      var all = positions();
      delete all[slug];
      store.set(KEY_POSITIONS, JSON.stringify(all));
    });
    window.addEventListener("pagehide", function () { if (!media.ended) { remember(true); } });

    // -- keyboard shortcuts (never while typing in a field) -------------------------------------

    doc.addEventListener("keydown", function (e) {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) { return; }
      var target = e.target;
      var tag = target && target.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) { return; }
      var onMedia = target === media;
      var inPlayer = target && target.closest && target.closest(".player-area");
      switch (e.key) {
        case " ":
          if (onMedia || tag === "BUTTON" || tag === "A" || tag === "SUMMARY") { return; }
          togglePlay();
          break;
        case "k": case "K":
          togglePlay();
          break;
        case "j": case "J":
          seek(media.currentTime - 10, false);
          break;
        case "l": case "L":
          seek(media.currentTime + 10, false);
          break;
        case "ArrowLeft":
          if (onMedia) { return; }
          seek(media.currentTime - 5, false);
          break;
        case "ArrowRight":
          if (onMedia) { return; }
          seek(media.currentTime + 5, false);
          break;
        case "ArrowUp": case "ArrowDown":
          if (onMedia || !inPlayer) { return; }
          media.volume = Math.min(1, Math.max(0, media.volume + (e.key === "ArrowUp" ? 0.1 : -0.1)));
          say(T("Volume %(percent)s.", { percent: Math.round(media.volume * 100) + "%" }));
          break;
        case "c": case "C":
          if (captionsButton) { setCaptions(captionsButton.getAttribute("aria-pressed") !== "true", true); }
          break;
        default:
          return;
      }
      e.preventDefault();
    });

    update(media.currentTime || 0);
  }

  // ---- renditions: the poster for the screen, listen only -------------------------------------

  var KEY_LISTEN = "medialib:listen";

  // Listen only: the same media element plays the audio rendition from the same moment, so the
  // transcript, chapters, captions and speed carry on; "Watch the video" brings the video back.
  // The choice is remembered in this browser only. A page served with ?listen=1 (no script
  // needed) has an audio element; from there the video is a page away.
  function initStreams(media) {
    if (!media) { return; }
    var large = media.getAttribute("data-poster-large");
    if (large && media.clientWidth * (window.devicePixelRatio || 1) > 640) { media.poster = large; }
    var box = doc.getElementById("listen-switch");
    if (!box) { return; }
    var listenLink = doc.getElementById("listen-only");
    var watchLink = doc.getElementById("watch-video");
    var servedListening = box.getAttribute("data-listening") === "1";
    var hlsPlays = media.canPlayType("application/vnd.apple.mpegurl") !== "";
    var audioSrc = hlsPlays ? box.getAttribute("data-audio") : box.getAttribute("data-audio-file");

    function show(listening) {
      listenLink.hidden = listening;
      watchLink.hidden = !listening;
    }
    function switchTo(src) {
      var at = media.currentTime, playing = !media.paused, rate = media.playbackRate;
      function resume() {
        media.removeEventListener("loadedmetadata", resume);
        if (at > 0) { media.currentTime = at; }
        media.playbackRate = rate;
        if (playing) { media.play().catch(function () { /* the patient presses play */ }); }
      }
      media.addEventListener("loadedmetadata", resume);
      if (src) { media.src = src; } else { media.removeAttribute("src"); }
      media.load();
    }
    function listen() {
      if (!audioSrc || media.getAttribute("src") === audioSrc) { return; }
      switchTo(audioSrc);
      media.classList.add("listening");
      show(true);
    }
    listenLink.addEventListener("click", function (e) {
      if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey || !audioSrc) { return; }
      e.preventDefault();
      store.set(KEY_LISTEN, "1");
      listen();
    });
    watchLink.addEventListener("click", function (e) {
      store.set(KEY_LISTEN, "0");
      if (servedListening) {  // the video is on the page without ?listen=1, from this moment
        watchLink.href = watchLink.pathname + "?t=" + Math.floor(media.currentTime || 0);
        return;
      }
      e.preventDefault();
      switchTo(null);
      media.classList.remove("listening");
      show(false);
    });
    if (!servedListening && store.get(KEY_LISTEN) === "1") { listen(); }
  }

  ready(function () {
    initTextSize();
    initPrint();
    initContinue();
    initShare();
    var watch = doc.getElementById("watch");
    // Renditions first: a remembered "listen only" picks its source before the player starts.
    if (watch) { initStreams(doc.getElementById("player")); initPlayer(watch); }
  });
})();
