// Imported first by main.tsx: the router reads the address when its module loads.
import { followMlflowHashLinks, redirectMlflowHashLink } from './mlflow-links';

redirectMlflowHashLink();
followMlflowHashLinks();
