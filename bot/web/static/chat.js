// The web chat: draws what the server's engine says; every choice goes back to the server.
// Text is only ever set through textContent, never parsed as HTML.
"use strict";

(() => {
  const UI = {
    vi: {
      subtitle: "Trợ lý cuộc thi trực tuyến",
      placeholder: "Nhập tin nhắn hoặc câu hỏi…",
      phonePlaceholder: "Số di động, ví dụ 0912345678",
      send: "Gửi",
      message: "Tin nhắn",
      language: "Ngôn ngữ",
      contactHint: "📱 Gửi số điện thoại: gõ số di động của bạn vào ô bên dưới rồi bấm Gửi.",
      question: (k, n) => `Câu ${k}/${n}`,
      timeLeft: "Còn",
      timeUp: "Hết giờ",
      offline: "Không kết nối được máy chủ. Vui lòng kiểm tra mạng và thử lại.",
      busy: "Có quá nhiều phiên trò chuyện mới từ mạng của bạn. Vui lòng thử lại sau ít phút.",
      failed: "Máy chủ chưa xử lý được yêu cầu. Vui lòng thử lại.",
    },
    en: {
      subtitle: "Online contest assistant",
      placeholder: "Type a message or a question…",
      phonePlaceholder: "Mobile number, e.g. 0912345678",
      send: "Send",
      message: "Message",
      language: "Language",
      contactHint: "📱 Share your phone number: type your mobile number below and press Send.",
      question: (k, n) => `Question ${k}/${n}`,
      timeLeft: "Left",
      timeUp: "Time is up",
      offline: "Cannot reach the server. Please check your connection and try again.",
      busy: "Too many new chats from your network. Please try again in a few minutes.",
      failed: "The server could not handle that. Please try again.",
    },
  };

  const $ = (id) => document.getElementById(id);
  const log = $("log");
  const input = $("input");
  const form = $("form");
  const sendButton = $("send");
  const progressBox = $("progress");
  const countdown = $("countdown");
  const toastBox = $("toast");
  const contactHint = $("contact-hint");
  const langButtons = document.querySelectorAll("[data-lang]");

  let locale = "vi";
  let busy = false;
  let lastKeyboard = null;     // the latest bot message with buttons: a `replace` reply takes its place
  let skew = 0;                // server clock minus this browser's clock, in ms
  let deadline = null;         // ms since epoch, server time; the server enforces it, we only show it
  let finishAction = null;     // the "hand in" button of the current question
  let timer = null;
  let toastTimer = null;

  const ui = () => UI[locale] || UI.vi;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setLocale(next) {
    locale = UI[next] ? next : "vi";
    document.documentElement.lang = locale;
    $("subtitle").textContent = ui().subtitle;
    sendButton.textContent = ui().send;
    input.setAttribute("aria-label", ui().message);
    document.querySelector(".lang").setAttribute("aria-label", ui().language);
    langButtons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === locale)));
    setContact(contactHint.hidden === false);
  }

  function setBusy(on) {
    busy = on;
    document.body.classList.toggle("busy", on);
    sendButton.disabled = on;
  }

  async function call(path, body, key = null) {
    setBusy(true);
    let ok = false;
    try {
      const response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => null);
      if (response.status === 429) {
        notice(ui().busy);
      } else if (!response.ok || !data || !Array.isArray(data.replies)) {
        notice(ui().failed);
      } else {
        show(data);
        ok = true;
      }
    } catch (err) {
      notice(ui().offline);
    } finally {
      if (key && !ok) key.classList.remove("chosen");
      setBusy(false);
    }
  }

  function show(data) {
    setLocale(data.locale);
    if (data.title) {
      $("title").textContent = data.title;
      document.title = data.title;
    }
    const serverNow = Date.parse(data.now);
    if (!Number.isNaN(serverNow)) skew = serverNow - Date.now();
    if (data.toast) toast(data.toast);
    if (data.replies.length === 0) return;
    // Only the newest buttons stay on screen, so the chat reads as a conversation, not a wall of menus.
    if (data.replies.some((reply) => reply.buttons.length)) {
      log.querySelectorAll(".msg.with-keys:not(.spent)").forEach((m) => {
        m.classList.add("spent");
        m.querySelectorAll(".key").forEach((k) => { k.disabled = true; });
      });
    }
    let progress = null;
    let finish = null;
    let contact = false;
    let first = null;
    for (const reply of data.replies) {
      const bubble = addReply(reply);
      first = first || bubble;
      if (reply.progress) {
        progress = reply.progress;
        finish = findFinish(reply.buttons);
      }
      contact = contact || reply.request_contact;
    }
    setProgress(progress, finish);
    setContact(contact);
    reveal(first);
  }

  function addReply(reply) {
    const kind = reply.progress ? " question" : "";
    const bubble = el("article", `msg bot${kind}${reply.buttons.length ? " with-keys" : ""}`);
    reply.parts.forEach((part, i) => {
      bubble.append(el("p", "part", i === 0 && reply.progress ? withoutStatusLine(part, reply.progress) : part));
    });
    if (reply.buttons.length) bubble.append(keyboard(reply.buttons));
    if (reply.replace && lastKeyboard && lastKeyboard.isConnected) lastKeyboard.remove();
    log.append(bubble);
    if (reply.buttons.length) lastKeyboard = bubble;
    else if (reply.replace) lastKeyboard = null;
    return bubble;
  }

  // The strip above shows "question k of n" and a live countdown, so a first line that says
  // "k/n" (with a time that would only go stale) is left out of the bubble.
  function withoutStatusLine(text, progress) {
    const cut = text.indexOf("\n");
    if (cut < 0 || !text.slice(0, cut).includes(`${progress.position}/${progress.total}`)) return text;
    return text.slice(cut + 1).replace(/^\s*\n/, "");
  }

  // Rows of one-letter options (A B C / D) become one row of four large keys on a phone.
  function arrange(rows) {
    const short = (row) => row.length > 0 && row.every((b) => b.label.length <= 2);
    const out = [];
    let letters = [];
    for (const row of rows) {
      if (short(row)) { letters.push(...row); continue; }
      for (let i = 0; i < letters.length; i += 4) out.push(letters.slice(i, i + 4));
      letters = [];
      out.push(row);
    }
    for (let i = 0; i < letters.length; i += 4) out.push(letters.slice(i, i + 4));
    return out;
  }

  function keyboard(rows) {
    const keys = el("div", "keys");
    for (const row of arrange(rows)) {
      const line = el("div", "row");
      for (const button of row) {
        const key = el("button", "key", button.label);
        key.type = "button";
        key.addEventListener("click", () => press(button.action, key));
        line.append(key);
      }
      keys.append(line);
    }
    return keys;
  }

  function findFinish(rows) {
    for (const row of rows) for (const b of row) if (b.action.startsWith("fin:")) return b.action;
    return null;
  }

  function notice(text) {
    log.append(el("p", "msg notice", text));
    reveal(log.lastElementChild);
  }

  // Show the newest messages from their start, so a long question is read from its first line.
  function reveal(first) {
    const bottom = log.scrollHeight - log.clientHeight;
    log.scrollTop = Math.max(0, Math.min(bottom, first.offsetTop - log.offsetTop - 12));
  }

  function toast(text) {
    toastBox.textContent = text;
    toastBox.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { toastBox.hidden = true; }, 2000);
  }

  function setContact(on) {
    contactHint.hidden = !on;
    contactHint.textContent = ui().contactHint;
    input.type = on ? "tel" : "text";
    input.inputMode = on ? "tel" : "text";
    input.placeholder = on ? ui().phonePlaceholder : ui().placeholder;
  }

  function setProgress(progress, finish) {
    clearInterval(timer);
    if (!progress) {
      progressBox.hidden = true;
      deadline = null;
      return;
    }
    progressBox.hidden = false;
    $("position").textContent = ui().question(progress.position, progress.total);
    $("bar").style.width = `${(100 * (progress.position - 1)) / progress.total}%`;
    deadline = Date.parse(progress.deadline);
    finishAction = finish;
    tick();
    timer = setInterval(tick, 1000);
  }

  function tick() {
    if (deadline === null) return;
    const left = deadline - (Date.now() + skew);
    countdown.classList.toggle("low", left < 60_000);
    if (left > 0) {
      const s = Math.floor(left / 1000);
      const mm = String(Math.floor(s / 60)).padStart(2, "0");
      const ss = String(s % 60).padStart(2, "0");
      countdown.textContent = `⏱ ${ui().timeLeft} ${mm}:${ss}`;
      return;
    }
    countdown.textContent = `⏱ ${ui().timeUp}`;
    clearInterval(timer);
    deadline = null;
    // The server already closed the attempt; handing in shows the result without a tap.
    if (finishAction) setTimeout(handIn, busy ? 800 : 0);
  }

  function handIn() {
    if (busy) { setTimeout(handIn, 500); return; }
    const action = finishAction;
    finishAction = null;
    if (action) call("/api/chat/send", { action });
  }

  function press(action, key) {
    if (busy) return;
    if (key) {
      key.closest(".keys").querySelectorAll(".chosen").forEach((k) => k.classList.remove("chosen"));
      key.classList.add("chosen");
    }
    call("/api/chat/send", { action }, key);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || busy) return;
    log.append(el("p", "msg user", text));
    input.value = "";
    call("/api/chat/send", { text });
  });

  langButtons.forEach((b) => b.addEventListener("click", () => {
    if (b.dataset.lang !== locale) press(`l:${b.dataset.lang}`, null);
  }));

  const params = new URLSearchParams(window.location.search);
  const payload = (params.get("start") || "").slice(0, 64);
  setLocale("vi");
  call("/api/chat/start", payload ? { payload } : {});
})();
