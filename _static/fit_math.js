/* rnn-course: display equations fit the page.
 *
 * MathJax 3 does not break display equations into lines, so an equation wider than the text
 * column scrolls sideways. Once MathJax has typeset the page (and again after the window is
 * resized), each display equation that is too wide is drawn smaller, just enough to fit, but not
 * below MIN_SCALE of its size, where it would be hard to read: such an equation keeps its size
 * and scrolls inside its own box (on a phone, for example). When done, the page's <html> element
 * gets data-math-fitted="1" (the browser tests wait for it).
 */
(function () {
  "use strict";
  var MIN_SCALE = 0.8;

  function fit() {
    var boxes = document.querySelectorAll('mjx-container[display="true"]');
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var math = box.firstElementChild;
      if (!math) continue;
      math.style.fontSize = "";
      var natural = math.getBoundingClientRect().width;
      var room = box.clientWidth;
      if (natural > room && room > 0) {
        var scale = Math.max(MIN_SCALE, (room - 1) / natural);
        math.style.fontSize = (100 * scale).toFixed(1) + "%";
      }
    }
    document.documentElement.setAttribute("data-math-fitted", "1");
  }

  var tries = 0;
  function whenTypeset() {
    var mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) {
      mj.startup.promise.then(fit);
    } else if (document.querySelector(".math") && ++tries < 200) {
      setTimeout(whenTypeset, 50); // MathJax loads asynchronously; give up after 10 s
    } else {
      fit();
    }
  }

  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(fit, 100);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", whenTypeset);
  } else {
    whenTypeset();
  }
})();
