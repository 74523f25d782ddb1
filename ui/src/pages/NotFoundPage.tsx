import { Link } from '@tanstack/react-router';

export function NotFoundPage() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        No page here. Go to the <Link to="/">experiments</Link>.
      </p>
    </>
  );
}
