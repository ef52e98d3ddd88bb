/*
 * The check-in desk's camera: opens it (the back one where there is one, as a preference),
 * reads QR codes from the video with the BarcodeDetector API (the browser's own, or the
 * vendored polyfill with its self-hosted ZXing WebAssembly, static/vendor/barcode-detector/)
 * and hands each code to the desk. Torch and camera switch where the device has them.
 * A decoder that cannot load is said at once, not scanned for ever.
 */
(function () {
  "use strict";

  function attach(options) {
    var ui = options.ui;
    var messages = options.messages;

    var camera = {
      stream: null, detector: null, running: false, devices: [], device: 0, torch: false
    };

    function prepareDecoder() {
      if (camera.detector) { return Promise.resolve(camera.detector); }
      var detector = window.BarcodeDetector;
      var native = detector && /\[native code\]/.test(String(detector));
      var api = window.BarcodeDetectionAPI;
      var ready = native || !api ? Promise.resolve() : api.prepareZXingModule({
        overrides: {
          locateFile: function (path, prefix) {
            return path.slice(-5) === ".wasm" ? options.wasmUrl : prefix + path;
          }
        },
        fireImmediately: true
      });
      var timeout = new Promise(function (_, reject) {
        setTimeout(function () { reject(new Error("timeout")); }, 30000);
      });
      return Promise.race([ready, timeout]).then(function () {
        if (!window.BarcodeDetector) { throw new Error("no decoder"); }
        camera.detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return camera.detector;
      });
    }

    function startCamera() {
      ui.error.hidden = true;
      options.onStart();
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        options.onError(messages.no_camera);
        return Promise.resolve();
      }
      ui.start.disabled = true;
      return prepareDecoder().catch(function () {
        options.onError(messages.decoder_error);
        ui.start.disabled = false;
        return null;
      }).then(function (detector) {
        if (!detector) { return null; }
        var wanted = camera.devices.length > 1
          ? { deviceId: { exact: camera.devices[camera.device].deviceId } }
          : { facingMode: { ideal: "environment" } };
        return navigator.mediaDevices.getUserMedia({ video: wanted, audio: false })
          .then(function (stream) { return begin(stream); })
          .catch(function (error) {
            options.onError(fill(messages.camera_error, { reason: error.name || String(error) }));
            ui.start.disabled = false;
          });
      });
    }

    function begin(stream) {
      camera.stream = stream;
      ui.video.srcObject = stream;
      ui.view.hidden = false;
      ui.start.hidden = true;
      ui.start.disabled = false;
      ui.stop.hidden = false;
      camera.running = true;
      var track = stream.getVideoTracks()[0];
      var capabilities = track && track.getCapabilities ? track.getCapabilities() : {};
      ui.torch.hidden = !capabilities.torch;
      navigator.mediaDevices.enumerateDevices().then(function (devices) {
        camera.devices = devices.filter(function (device) { return device.kind === "videoinput"; });
        ui.flip.hidden = camera.devices.length < 2;
      }).catch(function () { return null; });
      return ui.video.play().catch(function () { return null; }).then(scanLoop);
    }

    function stopCamera() {
      camera.running = false;
      if (camera.stream) {
        camera.stream.getTracks().forEach(function (track) { track.stop(); });
      }
      camera.stream = null;
      camera.torch = false;
      ui.video.srcObject = null;
      ui.view.hidden = true;
      ui.stop.hidden = true;
      ui.torch.hidden = true;
      ui.flip.hidden = true;
      ui.start.hidden = false;
    }

    var failures = 0;

    function scanLoop() {
      if (!camera.running) { return; }
      var next = function () { setTimeout(scanLoop, 150); };
      if (ui.video.readyState < 2) { next(); return; }
      camera.detector.detect(ui.video).then(function (codes) {
        failures = 0;
        var found = codes.filter(function (code) { return code.rawValue; })[0];
        return found ? options.onCode(found.rawValue) : null;
      }).catch(function () {
        failures += 1;
        if (failures > 10) {
          options.onError(messages.decoder_error);
          stopCamera();
        }
      }).then(next);
    }

    ui.start.addEventListener("click", startCamera);
    ui.stop.addEventListener("click", stopCamera);
    ui.torch.addEventListener("click", function () {
      var track = camera.stream && camera.stream.getVideoTracks()[0];
      if (!track) { return; }
      camera.torch = !camera.torch;
      track.applyConstraints({ advanced: [{ torch: camera.torch }] }).catch(function () {
        camera.torch = !camera.torch;
      }).then(function () {
        ui.torch.setAttribute("aria-pressed", camera.torch ? "true" : "false");
        ui.torch.textContent = camera.torch ? messages.torch_off : messages.torch_on;
      });
    });
    ui.flip.addEventListener("click", function () {
      camera.device = (camera.device + 1) % Math.max(camera.devices.length, 1);
      stopCamera();
      startCamera();
    });

    return { prepare: prepareDecoder, stop: stopCamera };
  }

  window.CheckinCamera = { attach: attach };
})();
