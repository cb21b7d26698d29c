/** Shared by the root layout (server) and the toggle (client): the stored choice and the pre-paint script. */
export const THEME_KEY = 'pgwarden-theme';

/** Runs before the first paint (inline in <head>): applies the stored choice so the page does not flash. */
export const THEME_BOOT = `try{var t=localStorage.getItem('${THEME_KEY}');if(t==='light'||t==='dark')document.documentElement.dataset.theme=t}catch(e){}`;
