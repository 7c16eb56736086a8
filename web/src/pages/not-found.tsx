export function NotFoundPage() {
  return (
    <section class="narrow">
      <h1 tabIndex={-1}>We could not find that page</h1>
      <p>
        The link may be old. Go to the <a href="/pricing">plans</a> or to your <a href="/dashboard">dashboard</a>.
      </p>
    </section>
  );
}
