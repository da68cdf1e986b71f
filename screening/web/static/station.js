// The station's only script (no inline scripts: the CSP forbids them). Progressive:
// every form works without it. It adds drag-and-drop onto the drop zone, a camera
// capture where the browser allows getUserMedia, and a "working" state on submit.
"use strict";

(function () {
  const form = document.getElementById("screen-form");
  if (!form) return;
  const input = document.getElementById("file");
  const zone = document.getElementById("dropzone");
  const chosen = document.getElementById("chosen");
  const submit = document.getElementById("screen-submit");

  function showChosen() {
    const names = Array.from(input.files || []).map((f) => f.name);
    chosen.textContent = names.join(", ");
  }

  function setFiles(files) {
    const transfer = new DataTransfer();
    for (const file of files) transfer.items.add(file);
    input.files = transfer.files;
    showChosen();
  }

  input.addEventListener("change", showChosen);
  ["dragenter", "dragover"].forEach((name) =>
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("over");
    })
  );
  ["dragleave", "drop"].forEach((name) =>
    zone.addEventListener(name, () => zone.classList.remove("over"))
  );
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    const files = Array.from(event.dataTransfer.files).filter((f) => f.type.startsWith("image/"));
    if (files.length) setFiles(files);
  });
  zone.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      input.click();
    }
  });
  zone.tabIndex = 0;

  form.addEventListener("submit", () => {
    submit.disabled = true;
    submit.textContent = submit.dataset.working || submit.textContent;
  });

  // Camera: getUserMedia where the browser allows it (a secure context: localhost or
  // HTTPS); otherwise the file input's capture attribute opens the camera on phones.
  const start = document.getElementById("camera-start");
  const box = document.getElementById("camera");
  const video = document.getElementById("camera-video");
  const canvas = document.getElementById("camera-canvas");
  const unavailable = document.getElementById("camera-unavailable");
  let stream = null;

  function stopCamera() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    box.hidden = true;
  }

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    start.hidden = false;
    start.addEventListener("click", async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          video: { facingMode: "environment", width: { ideal: 2560 }, height: { ideal: 1440 } },
        });
        video.srcObject = stream;
        box.hidden = false;
      } catch (problem) {
        unavailable.hidden = false;
      }
    });
    document.getElementById("camera-stop").addEventListener("click", stopCamera);
    document.getElementById("camera-capture").addEventListener("click", () => {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0);
      canvas.toBlob(
        (blob) => {
          const stamp = new Date().toISOString().replace(/[:.]/g, "-");
          const files = Array.from(input.files || []);
          files.push(new File([blob], `camera-${stamp}.jpg`, { type: "image/jpeg" }));
          setFiles(files);
          stopCamera();
        },
        "image/jpeg",
        0.92
      );
    });
  } else {
    unavailable.hidden = false;
  }
  // Said last, so that a test (or an assistive tool) knows every handler is in place.
  form.dataset.enhanced = "true";
})();
