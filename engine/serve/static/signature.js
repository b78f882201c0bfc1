/* sop serve: the signature pad. Progressive enhancement of the evidence
   form: the person signs with a finger on the canvas, and the drawing is put
   into the form's file input `signature` as a PNG, posted with the form as
   any file is (multipart, post/redirect/get). Without JavaScript the pad
   stays hidden and the page offers a photo of a paper signature instead.
   No library, no network: this file is the whole of it. */
(function () {
  "use strict";
  var pad = document.getElementById("sigpad");
  if (!pad || typeof DataTransfer === "undefined" || !window.HTMLCanvasElement) return;
  var canvas = pad.querySelector("canvas");
  var input = document.getElementById("signature");
  var clear = document.getElementById("sigclear");
  var form = pad.closest("form");
  if (!canvas || !input || !form || !canvas.toBlob) return;
  try { new DataTransfer(); } catch (e) { return; } // an old browser: the photo stays
  pad.hidden = false;
  var ctx = canvas.getContext("2d");
  var drawn = false, down = false, last = null, pending = null;

  function fit() {
    var ratio = window.devicePixelRatio || 1;
    var box = canvas.getBoundingClientRect();
    canvas.width = Math.round(box.width * ratio);
    canvas.height = Math.round(box.height * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#102040";
    drawn = false;
    input.value = "";
  }

  function point(e) {
    var box = canvas.getBoundingClientRect();
    return { x: e.clientX - box.left, y: e.clientY - box.top };
  }

  function keep() {
    // The drawing as the form's file `signature.png`, once the stroke ends.
    pending = new Promise(function (done) {
      canvas.toBlob(function (blob) {
        if (blob && drawn) {
          var files = new DataTransfer();
          files.items.add(new File([blob], "signature.png", { type: "image/png" }));
          input.files = files.files;
        }
        pending = null;
        done();
      }, "image/png");
    });
  }

  canvas.addEventListener("pointerdown", function (e) {
    down = true;
    last = point(e);
    if (canvas.setPointerCapture) canvas.setPointerCapture(e.pointerId);
    ctx.beginPath();
    ctx.arc(last.x, last.y, 1.2, 0, 2 * Math.PI);
    ctx.fillStyle = ctx.strokeStyle;
    ctx.fill();
    drawn = true;
    e.preventDefault();
  });
  canvas.addEventListener("pointermove", function (e) {
    if (!down) return;
    var p = point(e);
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    last = p;
    e.preventDefault();
  });
  function up() {
    if (!down) return;
    down = false;
    keep();
  }
  canvas.addEventListener("pointerup", up);
  canvas.addEventListener("pointercancel", up);
  canvas.addEventListener("pointerleave", up);
  if (clear) {
    clear.addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      input.value = "";
    });
  }
  form.addEventListener("submit", function (e) {
    if (!pending) return;
    e.preventDefault(); // the last stroke's PNG is still being made
    pending.then(function () {
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    });
  });
  fit();
})();
