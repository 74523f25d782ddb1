// Imported first by main.tsx: the router reads the address when its module loads.
import { redirectMlflowHashLink } from './mlflow-links';

redirectMlflowHashLink();
