// Marks the page as scripted before it paints (styles for the step-by-step form depend on it).
document.documentElement.classList.add("js");
